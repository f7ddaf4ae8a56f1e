/**
 * Every scheduled backup is verified right after it is written (issue 19): a `verify` job (core's
 * verifyBackup: gzip, tar, member rules, checksums, SQLite's integrity check of each database; a
 * sealed backup opened with the instance's keys), queued behind the backup, recorded in the backup
 * verifications so the backup list shows it verified, and its outcome told to the alerts as
 * `{ kind: 'verification' }`. A check that ended without a verdict (the server stopping) tells them
 * nothing.
 */
import path from 'node:path';
import type { AlertSignals } from '../alerts/alert-signals.ts';
import type { Instance } from '../instance/instance.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { SchedulerLog } from '../schedule/backup-scheduler.ts';
import { instanceSealSettings } from '../seal/instance-seal-settings.ts';
import { openKeyFor } from '../seal/open-key.ts';
import type { BackupVerifications } from './backup-verifications.ts';
import { verifyJobSpec } from './verify-job.ts';

/** What {@link verifyScheduledBackup} needs of the server. */
export interface VerifyScheduledBackupServices {
  instance: Instance;
  jobs: JobRunner;
  verifications: BackupVerifications;
  alerts: AlertSignals;
  log?: SchedulerLog | undefined;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
}

const NO_VERDICT = new Set(['CANCELLED', 'SERVER_SHUTDOWN']);

/** Queues the verification of the scheduled backup at `backup.path`; resolves with the job's id. */
export async function verifyScheduledBackup(
  services: VerifyScheduledBackupServices,
  backup: { fileName: string; path: string },
): Promise<string> {
  const { instance, jobs, verifications, alerts } = services;
  const now = services.now ?? Date.now;
  const key = await openKeyFor(instanceSealSettings(instance), backup.path);
  const job = jobs.enqueue(
    verifyJobSpec({
      backupDir: path.dirname(backup.path),
      fileName: backup.fileName,
      key,
      verifications,
      onSuccess: (result) => {
        services.log?.info({ file: result.fileName }, 'Scheduled backup verified');
        alerts.succeeded({ kind: 'verification' }, { at: now(), fileName: result.fileName });
      },
      onFailure: (error) => {
        if (NO_VERDICT.has(error.code)) return;
        services.log?.warn({ file: backup.fileName, code: error.code }, `Verification of the scheduled backup failed: ${error.message}`);
        alerts.failed(
          { kind: 'verification' },
          { code: error.code, message: error.message, details: error.details, at: now(), fileName: backup.fileName },
        );
      },
    }),
  );
  return job.id;
}
