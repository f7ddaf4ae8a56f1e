/**
 * Restores an archive file onto the running instance: the work of a `restore` job.
 *
 * Sequence:
 * 1. pause the backup schedule (resumed however the restore ends);
 * 2. no other job runs: the JobRunner runs one job at a time, so while this one runs the others
 *    are done, and it started only after open download read leases ended;
 * 3. core's restoreDataDir first has the instance release its database handles (`releaseHandles`)
 *    and refuses with DATABASE_IN_USE when another process has a live database open (DOCSight on
 *    a shared volume); then it reads (opening a sealed archive with the given key), stages and
 *    verifies the archive, holds the live databases, and writes a `pre-restore` backup of the
 *    current data to the backup path (when there is anything to keep; sealed when the instance
 *    seals its backups);
 * 4. publish (crash-safe in core), then `instance.reload()`: the databases are reopened and
 *    migrated, and config.json, `.config_key` and the session key are read again, so restored
 *    secrets decrypt at once and the restored schema is current without a restart
 *    (docs/docsight-compatibility.md, D10 and D16).
 * A failure before publish leaves the data directory as it was; the databases are reopened if they
 * had been released, and the job fails with the engine's message. A failure while publishing is
 * finished by the reload (core's recoverInterruptedRestore rolls the restore forward).
 *
 * Sessions (decision): restoreDataDir writes a fresh session key, so a restore logs out every
 * client, and cookies minted by the instance the archive came from (a DOCSight archive carries
 * its `.session_key`) are never valid here (docs/docsight-compatibility.md, D11). The client that
 * ran the restore gets no special treatment: no new cookie is issued for it. When the restored
 * config has an admin password, that client must log in with it like everyone else (the job result
 * says `needsLogin`); issuing it a session would let whoever uploads an archive skip the archive's
 * own password, and would need a cookie set from a background job that has no response to set it
 * on.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  restoreDataDir,
  type ArchiveProgress,
  type PreparedRestore,
  type PublishStepHook,
  type SealedInputOptions,
} from '@evidence-locker/core';
import type { Instance, InstanceLog } from '../instance/instance.ts';
import { instancePreRestoreSeal } from '../seal/instance-seal-settings.ts';
import type { RestoreJobResult } from './restore-job-result.ts';
import { withSchedulePaused, type SchedulePause } from './schedule-pause.ts';

/** Options of {@link restoreRunningInstance}. */
export interface RestoreRunningInstanceOptions {
  instance: Instance;
  /** The archive file to restore (a staged upload or a stored backup); or `openArchive`. */
  archivePath?: string | undefined;
  /**
   * The archive as a stream with its size (a copy at a target), opened once the schedule is paused;
   * its `seal` replaces `seal`. The stream is destroyed however the restore ends.
   */
  openArchive?: ((signal: AbortSignal | undefined) => Promise<{ stream: Readable; size: number; seal?: SealedInputOptions }>) | undefined;
  /** The upload's members, already staged and verified: only published (archivePath is not read). */
  prepared?: PreparedRestore | undefined;
  /** How a sealed archive file is opened, and what its name promised (plain archives need nothing). */
  seal?: SealedInputOptions | undefined;
  /** The backup schedule to hold meanwhile (none: nothing to hold). */
  schedule?: SchedulePause | undefined;
  signal?: AbortSignal;
  /** Phases `read` (compressed bytes), `verify`, `publish`. */
  onProgress?: (progress: ArchiveProgress) => void;
  log?: Pick<InstanceLog, 'warn'>;
  /** Fault injection for tests: core's hook before each publish step. */
  beforePublishStep?: PublishStepHook;
}

/** Restores `archivePath` onto the running instance (see the file comment). */
export async function restoreRunningInstance(options: RestoreRunningInstanceOptions): Promise<RestoreJobResult> {
  const { instance } = options;
  return withSchedulePaused(options.schedule, async () => {
    const archive = await openSource(options);
    let released = false;
    try {
      const result = await restoreDataDir({
        ...archive.source,
        ...(archive.seal ? { seal: archive.seal } : {}),
        // The pre-restore backup is sealed like the backup directory's others.
        preRestoreSeal: instancePreRestoreSeal(instance),
        bytesTotal: archive.size,
        dataDir: instance.dataDir,
        backupDir: instance.backupPath,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.beforePublishStep ? { beforePublishStep: options.beforePublishStep } : {}),
        releaseHandles: () => {
          instance.releaseDatabases();
          released = true;
        },
      });
      const snapshot = await instance.reload();
      released = false;
      return {
        restoredFiles: result.restoredFiles,
        removedFiles: result.removedFiles,
        configured: snapshot.configured,
        needsLogin: snapshot.adminPasswordRepr !== '',
        preRestoreBackup: result.preRestoreBackup
          ? { fileName: result.preRestoreBackup.fileName, size: result.preRestoreBackup.size }
          : null,
        warnings: result.warnings,
        meta: result.meta,
      };
    } finally {
      archive.stream?.destroy();
      if (released) {
        // The restore failed after the handles were released: serve whatever the directory holds
        // now (the old data, or the restored data once recovery finished the publish).
        await instance.reload().catch((error: unknown) => {
          options.log?.warn({ err: error }, 'Could not reopen the databases after a failed restore');
        });
      }
    }
  });
}

interface RestoreSource {
  source: { prepared: PreparedRestore } | { source: Readable; archivePath?: string };
  size: number;
  seal: SealedInputOptions | undefined;
  /** A stream this restore opened, to destroy at the end. */
  stream?: Readable;
}

async function openSource(options: RestoreRunningInstanceOptions): Promise<RestoreSource> {
  if (options.openArchive) {
    const opened = await options.openArchive(options.signal);
    return { source: { source: opened.stream }, size: opened.size, seal: opened.seal ?? options.seal, stream: opened.stream };
  }
  if (options.archivePath === undefined) throw new Error('restoreRunningInstance needs archivePath or openArchive.');
  const { size } = await stat(options.archivePath);
  if (options.prepared) return { source: { prepared: options.prepared }, size, seal: options.seal };
  return { source: { source: createReadStream(options.archivePath), archivePath: options.archivePath }, size, seal: options.seal };
}
