/**
 * The app's routes and the guard that sends each visitor where the instance's state allows
 * (route-decision.ts): the wizard while unconfigured, the login page while locked.
 */
import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { refreshInstance } from './composables/use-instance.ts';
import { decideRoute, type RouteName } from './route-decision.ts';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'dashboard', component: () => import('./routes/dashboard/DashboardPage.vue') },
    { path: '/settings', name: 'settings', component: () => import('./routes/settings/SettingsPage.vue') },
    { path: '/setup', name: 'setup', component: () => import('./routes/setup/SetupWizard.vue') },
    { path: '/login', name: 'login', component: () => import('./routes/login/LoginPage.vue') },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
  // A link to a section (the dashboard's "Fix it in the settings" → #automatic-backups) scrolls to it.
  scrollBehavior: (to, _from, saved) => saved ?? (to.hash ? { el: to.hash, top: 16 } : { top: 0 }),
});

function routeName(to: RouteLocationNormalized): RouteName {
  return (to.name as RouteName | undefined) ?? 'dashboard';
}

router.beforeEach(async (to) => {
  let state;
  try {
    state = await refreshInstance();
  } catch {
    // The server is unreachable: show the page; its own calls will say so.
    return true;
  }
  const target = routeName(to);
  const redirect = decideRoute(state, target);
  if (redirect === null) return true;
  if (redirect === 'login' && target !== 'setup') return { name: 'login', query: { next: to.fullPath } };
  return { name: redirect };
});
