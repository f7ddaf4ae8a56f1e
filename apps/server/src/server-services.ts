/**
 * The long-lived objects a server shares between requests (trpc/context.ts `ServerServices`):
 * made and closed here, for the HTTP server (app.ts) and for tests that call procedures directly.
 */
import { LoginRateLimiter } from './auth/login-rate-limiter.ts';
import { SetupAttemptLimiter } from './auth/setup-attempt-limiter.ts';
import { BackupDownloads } from './backups/backup-downloads.ts';
import { BackupVerifications } from './backups/backup-verifications.ts';
import type { Env } from './env.ts';
import type { Instance } from './instance/instance.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { UploadStore, type UploadStoreOptions } from './restore/upload-store.ts';
import { BackupScheduler, type SchedulerLog } from './schedule/backup-scheduler.ts';
import { PendingSealKeys } from './seal/pending-seal-keys.ts';
import { TargetPusher } from './targets/target-pusher.ts';
import type { ScheduleStateSource } from './schedule-state.ts';
import type { ServerServices } from './trpc/context.ts';
import { AlertCenter } from './alerts/alert-center.ts';
import { STALE_RUN_GRACE_MS, StaleWatch } from './alerts/stale-watch.ts';
import { TestRestoreScheduler } from './proof/test-restore-scheduler.ts';
import { verifyScheduledBackup } from './backups/verify-scheduled-backup.ts';

/** Options of {@link createServerServices}. */
export interface ServerServicesOptions {
  env: Env;
  /** The opened instance; {@link closeServerServices} closes it. */
  instance: Instance;
  /** Where the backup scheduler logs (default: nowhere). */
  log?: SchedulerLog;
  /** The schedule's state for the dashboard (default: the backup scheduler's). */
  scheduleState?: ScheduleStateSource;
  /** Called when the backup settings were saved, after the scheduler was told (default: nothing more). */
  onBackupSettingsChanged?: () => void;
  /** Upload cap, expiry etc. (default: 4 GiB, 1 hour); staged in the data directory. */
  uploads?: Omit<UploadStoreOptions, 'stagingDir'>;
}

/** The services of a server on `instance`. The backup scheduler is made but not started. */
export function createServerServices(options: ServerServicesOptions): ServerServices {
  const { env, instance } = options;
  const jobs = new JobRunner();
  const verifications = new BackupVerifications(options.log ? { log: options.log } : {});
  // Read now, so the first backup list does not wait for it (a failure is logged and ignored there).
  void verifications.load(instance.backupPath);
  const scheduler = new BackupScheduler({
    instance,
    jobs,
    verifications,
    log: options.log,
    startDelayMs: env.scheduleStartDelayMs,
    // Through `services`, so a test that puts in its own alerts hears the schedule.
    alerts: {
      failed: (subject, failure) => services.alerts.failed(subject, failure),
      succeeded: (subject, success) => {
        services.alerts.succeeded(subject, success);
        services.staleWatch.check();
      },
    },
    // Through `services`, so a test that puts in a pusher with its own clock gets the scheduled backups too.
    onBackupCreated: (result) => {
      services.targetPusher.backupCreated(result);
      // Verified at once, behind the backup in the job queue; the list then shows it verified.
      verifyScheduledBackup({ ...services, log: options.log }, result).catch((error: unknown) =>
        options.log?.warn({ err: error, file: result.fileName }, 'Could not start verifying the scheduled backup'),
      );
    },
  });
  const testRestores = new TestRestoreScheduler({
    instance,
    jobs,
    alerts: () => services.alerts,
    log: options.log,
    startDelayMs: env.scheduleStartDelayMs,
  });
  const alertCenter = new AlertCenter({ instance, ...(options.log ? { log: options.log } : {}) });
  const services: ServerServices = {
    env,
    instance,
    jobs,
    loginLimiter: new LoginRateLimiter(),
    setupLimiter: new SetupAttemptLimiter(),
    scheduleState: options.scheduleState ?? (() => scheduler.state()),
    // Resolves once the schedule is armed again, so the save's answer and the page's next read of
    // the schedule show the new next run (not the old state while the reload is still under way).
    onBackupSettingsChanged: async () => {
      testRestores.reschedule();
      options.onBackupSettingsChanged?.();
      await scheduler.reschedule();
      services.staleWatch.check();
    },
    scheduler,
    verifications,
    downloads: new BackupDownloads(),
    uploads: new UploadStore({ stagingDir: instance.dataDir, ...options.uploads }),
    pendingSealKeys: new PendingSealKeys(),
    targetPusher: new TargetPusher({
      instance,
      jobs,
      ...(options.log ? { log: options.log } : {}),
      alerts: { failed: (...args) => services.alerts.failed(...args), succeeded: (...args) => services.alerts.succeeded(...args) },
    }),
    alerts: alertCenter,
    alertCenter,
    staleWatch: new StaleWatch({
      schedule: () => services.scheduleState(),
      alerts: () => services.alerts,
      startGraceMs: (env.scheduleStartDelayMs ?? 60_000) + STALE_RUN_GRACE_MS,
      // Turned off or moved: no recovery would ever end these (issue 19 review).
      onUnwatched: () => {
        alertCenter.forget({ kind: 'stale' });
        alertCenter.forget({ kind: 'scheduled-backup' });
      },
    }),
    testRestores,
    testRestoreState: () => testRestores.state(),
  };
  return services;
}

/** Stops the schedule; running jobs end first (cancelled cleanly, their partial files removed), then uploads, then the databases. */
export async function closeServerServices(services: ServerServices): Promise<void> {
  services.scheduler.stop();
  services.staleWatch.stop();
  services.testRestores.stop();
  services.targetPusher.stop();
  services.pendingSealKeys.clear();
  await services.jobs.close();
  // At most a few seconds: a channel that hangs must not hold up the shutdown (what it is owed is kept).
  await services.alertCenter.close();
  await services.uploads.close();
  await services.instance.close();
}
