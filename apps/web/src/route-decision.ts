/**
 * Where a navigation may go, given the instance's state: an unconfigured instance shows the setup
 * wizard, a protected one the login page until this browser logs in, and a configured one never
 * shows the wizard again. Returns null to allow the navigation, or the route name to go to.
 */
import type { InstanceState } from './api/server-types.ts';

export type RouteName = 'dashboard' | 'settings' | 'setup' | 'login';

/** The route to redirect to for `target`, or null when `target` is allowed. */
export function decideRoute(state: InstanceState, target: RouteName): RouteName | null {
  if (state.needsLogin) return target === 'login' ? null : 'login';
  if (target === 'login') return state.configured ? 'dashboard' : 'setup';
  if (!state.configured) return target === 'setup' ? null : 'setup';
  if (target === 'setup') return 'dashboard';
  return null;
}
