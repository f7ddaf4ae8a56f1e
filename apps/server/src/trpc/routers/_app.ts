/**
 * The API: one router per area. Backups, restore and jobs join here as they are written.
 * `AppRouter` is the only thing the web app imports from the server (as a type).
 */
import { router } from '../init.ts';
import { alertsRouter } from './alerts.ts';
import { authRouter } from './auth.ts';
import { backupsRouter } from './backups.ts';
import { dashboardRouter } from './dashboard.ts';
import { jobsRouter } from './jobs.ts';
import { proofRouter } from './proof.ts';
import { restoreRouter } from './restore.ts';
import { sealRouter } from './seal.ts';
import { settingsRouter } from './settings.ts';
import { setupRouter } from './setup.ts';
import { targetsRouter } from './targets.ts';

export const appRouter = router({
  setup: setupRouter,
  auth: authRouter,
  settings: settingsRouter,
  dashboard: dashboardRouter,
  jobs: jobsRouter,
  backups: backupsRouter,
  restore: restoreRouter,
  seal: sealRouter,
  targets: targetsRouter,
  alerts: alertsRouter,
  proof: proofRouter,
});

export type AppRouter = typeof appRouter;
