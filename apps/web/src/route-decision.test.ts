import { describe, expect, it } from 'vitest';
import type { InstanceState } from './api/server-types.ts';
import { decideRoute } from './route-decision.ts';

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
