import { describe, expect, it } from 'vitest';
import type { InstanceState } from './api/server-types.ts';
import { decideRoute, routeAfterRestore } from './route-decision.ts';

const state = (overrides: Partial<InstanceState>): InstanceState => ({
  configured: true,
  demoMode: false,
  demoModeForced: false,
  hasAdminPassword: false,
  needsLogin: false,
  ...overrides,
});

describe('decideRoute', () => {
  it('sends everyone to the wizard while the instance is not configured', () => {
    expect(decideRoute(state({ configured: false }), 'dashboard')).toBe('setup');
    expect(decideRoute(state({ configured: false }), 'settings')).toBe('setup');
    expect(decideRoute(state({ configured: false }), 'setup')).toBeNull();
  });

  it('shows only the login page to a visitor who must log in', () => {
    for (const target of ['dashboard', 'settings', 'setup'] as const) {
      expect(decideRoute(state({ hasAdminPassword: true, needsLogin: true }), target)).toBe('login');
    }
    expect(decideRoute(state({ hasAdminPassword: true, needsLogin: true }), 'login')).toBeNull();
  });

  it('never shows the wizard or the login page to a configured, logged-in visitor', () => {
    expect(decideRoute(state({}), 'setup')).toBe('dashboard');
    expect(decideRoute(state({ hasAdminPassword: true }), 'login')).toBe('dashboard');
    expect(decideRoute(state({}), 'settings')).toBeNull();
  });
});

describe('routeAfterRestore', () => {
  it('sends everyone to the login page when the restored configuration has an admin password', () => {
    expect(routeAfterRestore({ configured: true, needsLogin: true }, 'setup')).toEqual({ name: 'login', query: { restored: '1' } });
    expect(routeAfterRestore({ configured: true, needsLogin: true }, 'settings')).toEqual({
      name: 'login',
      query: { restored: '1', next: '/settings' },
    });
    // The password comes first even when the restored configuration names no modem.
    expect(routeAfterRestore({ configured: false, needsLogin: true }, 'settings').name).toBe('login');
  });

  it('continues in the setup wizard when the restored configuration names no modem', () => {
    expect(routeAfterRestore({ configured: false, needsLogin: false }, 'setup')).toEqual({ name: 'setup' });
    expect(routeAfterRestore({ configured: false, needsLogin: false }, 'settings')).toEqual({ name: 'setup' });
  });

  it('hands the wizard over to the dashboard and keeps the settings page where it is', () => {
    expect(routeAfterRestore({ configured: true, needsLogin: false }, 'setup')).toEqual({ name: 'dashboard' });
    expect(routeAfterRestore({ configured: true, needsLogin: false }, 'settings')).toEqual({ name: 'settings' });
  });
});
