/**
 * Queues a `restore` job for a staged upload or a stored backup and wires up what surrounds it:
 * the upload is claimed (so it is restored at most once and never expires mid-restore) and its
 * staging file is deleted when the job ends, whatever the outcome, even a cancel before it ran; an
 * audit line records the outcome with the client address.
 */
import { preparedRestoreIntact, sealExpectationOf, type BackupTarget, type OpenKey, type SealedInputOptions } from '@evidence-locker/core';
import { audit, type AuditLogger } from '../audit.ts';
import type { Instance } from '../instance/instance.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { JobSnapshot } from '../jobs/job-snapshot.ts';
import { instanceSealSettings } from '../seal/instance-seal-settings.ts';
import type { RestoreJobResult } from './restore-job-result.ts';
import { restoreRunningInstance } from './restore-running-instance.ts';
import { openTargetCopy } from './target-copy-source.ts';
import type { SchedulePause } from './schedule-pause.ts';
import type { StagedUpload, UploadStore } from './upload-store.ts';

/**
 * What to restore: a claimed upload, or a stored backup file (with the key that opens it when it is
 * sealed, open-key.ts).
 */
export type RestoreSource =
  | { kind: 'upload'; upload: StagedUpload }
  | { kind: 'backup'; fileName: string; path: string; key?: OpenKey | undefined }
  | {
      kind: 'target';
      /** The opened target; closed when the job ends, or when it never runs. */
      target: BackupTarget;
      /** The copy's name at the target. */
      name: string;
      /** Opens it when sealed; else the instance's keys. */
      key?: OpenKey | undefined;
      /** Runs after the restore succeeded, on the restored instance: keeps the target in its config. */
      keepTarget: (result: RestoreJobResult) => Promise<RestoreJobResult>;
    };

/** Options of {@link enqueueRestore}. */
export interface EnqueueRestoreOptions {
  jobs: JobRunner;
  instance: Instance;
  uploads: UploadStore;
  source: RestoreSource;
  schedule?: SchedulePause | undefined;
  /** Who asked (audit lines). */
  clientAddress: string;
  log: AuditLogger;
}

/**
 * Queues the restore and returns the job's first snapshot. Throws the runner's BUSY error when a
 * restore or another data-changing job is queued or running; a claimed upload is then handed back
 * so the same upload can be restored later.
 */
export function enqueueRestore(options: EnqueueRestoreOptions): JobSnapshot {
  const { jobs, instance, uploads, source, clientAddress, log } = options;
  const described = describe(source);
  let job: JobSnapshot;
  try {
    job = jobs.enqueue({
      kind: 'restore',
      label: `Restore of ${source.kind === 'upload' ? 'an uploaded backup' : described}`,
      writesDataDir: true,
      // Core reports `publish` once the restore is committed (restore-backup.ts): from then on it
      // finishes even when asked to stop, so it is no longer offered as cancellable.
      cancellable: (progress) => progress?.phase !== 'publish',
      run: async ({ signal, report }) => {
        try {
          // The upload's members were staged and verified as it arrived; a restart since then swept
          // them, and the archive file is read instead.
          if (source.kind === 'target') {
            const result = await restoreRunningInstance({
              instance,
              // Opened once the schedule is paused and no other job runs; the copy streams into the
              // restore with the target's size for progress, never saved whole first.
              openArchive: (signal) =>
                openTargetCopy(source.target, source.name, { key: source.key, instanceKeys: instanceSealSettings(instance), signal }),
              schedule: options.schedule,
              signal,
              onProgress: (progress) => report(progress),
              log,
            });
            return await source.keepTarget(result);
          }
          const prepared =
            source.kind === 'upload' && (await preparedRestoreIntact(source.upload.prepared)) ? source.upload.prepared : undefined;
          return await restoreRunningInstance({
            instance,
            archivePath: source.kind === 'upload' ? source.upload.path : source.path,
            prepared,
            seal: sealOf(source),
            schedule: options.schedule,
            signal,
            onProgress: (progress) => report(progress),
            log,
          });
        } finally {
          // Deleted before the job reports its end, so a client never sees a finished job with
          // its upload still on disk.
          if (source.kind === 'upload') await uploads.release(source.upload.uploadId);
          if (source.kind === 'target') await closeTarget(source.target, log);
        }
      },
      onSuccess: (result) => {
        audit(
          log,
          'backup.restored',
          {
            ip: clientAddress,
            source: described,
            files: result.restoredFiles,
            removed: result.removedFiles,
            preRestoreBackup: result.preRestoreBackup?.fileName ?? null,
          },
          'Backup restored',
        );
      },
      onFailure: (error, cause) => {
        if (error.code === 'INTERNAL') log.warn({ err: cause }, 'Restore failed unexpectedly');
        audit(
          log,
          'restore.refused',
          { ip: clientAddress, path: 'restore', source: described, reason: error.code, message: error.message },
          'Restore failed',
        );
      },
    });
  } catch (error) {
    if (source.kind === 'upload') uploads.unclaim(source.upload.uploadId);
    if (source.kind === 'target') void closeTarget(source.target, log);
    audit(
      log,
      'restore.refused',
      { ip: clientAddress, path: 'restore', source: described, reason: 'busy' },
      'Restore refused: another job changes the data',
    );
    throw error;
  }
  if (source.kind === 'upload') {
    // A job cancelled while still queued never runs: release its upload then too.
    void jobs
      .wait(job.id)
      .finally(() => uploads.release(source.upload.uploadId))
      .catch(() => undefined);
  }
  if (source.kind === 'target') {
    // A job cancelled while still queued never runs: close its connection then too.
    void jobs
      .wait(job.id)
      .finally(() => closeTarget(source.target, log))
      .catch(() => undefined);
  }
  return job;
}

function describe(source: RestoreSource): string {
  if (source.kind === 'upload') return `uploaded archive ${source.upload.uploadId}`;
  if (source.kind === 'target') return `${source.name} from ${source.target.location}`;
  return source.fileName;
}

/** Closes a target's connections; closing twice is harmless, a failure only logged. */
async function closeTarget(target: BackupTarget, log: AuditLogger): Promise<void> {
  await target.close().catch((error: unknown) => log.warn({ err: error, target: target.location }, 'Could not close a target connection'));
}

/** How the archive file of `source` is opened when it is read (a staged upload's file has a neutral name). */
function sealOf(source: Exclude<RestoreSource, { kind: 'target' }>): SealedInputOptions {
  if (source.kind === 'upload') return { key: source.upload.openKey, expect: 'any' };
  return { key: source.key, expect: sealExpectationOf(source.fileName) };
}
