/**
 * Where the app goes, decided in one place as pure functions of what the server said:
 * - decideRoute: where a navigation may go, given the instance's state: an unconfigured instance
 *   shows the setup wizard, a protected one the login page until this browser logs in, and a
 *   configured one never shows the wizard again;
 * - routeAfterRestore: where to go once a restore finished, given what it restored and where the
 *   user started it (the setup wizard, or the settings page's list of stored backups).
 */
import type { InstanceState, RestoreOutcome } from './api/server-types.ts';

export type RouteName = 'dashboard' | 'settings' | 'setup' | 'login';

/** A route to go to, by name, with the query it needs. */
export interface RouteTarget {
  name: RouteName;
  query?: Record<string, string>;
}

/** Where a restore is started: the setup wizard or the settings page. */
export type RestoreOrigin = Extract<RouteName, 'setup' | 'settings'>;

/** The route to redirect to for `target`, or null when `target` is allowed. */
export function decideRoute(state: InstanceState, target: RouteName): RouteName | null {
  if (state.needsLogin) return target === 'login' ? null : 'login';
  if (target === 'login') return state.configured ? 'dashboard' : 'setup';
  if (!state.configured) return target === 'setup' ? null : 'setup';
  if (target === 'setup') return 'dashboard';
  return null;
}

/**
 * Where to go once a restore from `origin` finished, from the restore job's result: a restored
 * admin password logs everyone out, so the login page (which says the restore succeeded, and comes
 * back to the settings page when the restore was started there); a restored configuration without
 * a modem continues in the setup wizard; otherwise the wizard hands over to the dashboard and the
 * settings page stays. A target named like `origin` means staying where the user is.
 */
export function routeAfterRestore(outcome: Pick<RestoreOutcome, 'configured' | 'needsLogin'>, origin: RestoreOrigin): RouteTarget {
  if (outcome.needsLogin) return { name: 'login', query: origin === 'settings' ? { restored: '1', next: '/settings' } : { restored: '1' } };
  if (!outcome.configured) return { name: 'setup' };
  return { name: origin === 'setup' ? 'dashboard' : 'settings' };
}
