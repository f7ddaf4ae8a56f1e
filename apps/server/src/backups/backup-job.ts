/**
 * The `backup` job shared by "Backup now" (trigger `manual`) and the schedule (trigger
 * `scheduled`): check the backup directory, write a backup into it, then prune by the retention, as
 * DOCSight's Backup Now and its collector both do. When the instance seals its backups the archive
 * is sealed with age on the way to the disk (`….tar.gz.age`). Progress phases: `snapshot`, `compress`,
 * `write` (from core's createBackup), then `prune`.
 */
import {
  BackupTriggerSchema,
  ChunkReuseReportSchema,
  createBackup,
  ensureBackupDirWritable,
  pruneBackups,
  type PruneOptions,
  type RetentionRule,
  type SealKey,
} from '@evidence-locker/core';
import { z } from 'zod';
import type { JobError } from '../jobs/job-snapshot.ts';
import type { JobSpec } from '../jobs/job-runner.ts';
import { refuseBackupPathInDataDir } from './backup-path-guard.ts';

export const BackupJobResultSchema = z.object({
  fileName: z.string(),
  /** Absolute path of the new archive. */
  path: z.string(),
  size: z.number().int().nonnegative(),
  /** True when the backup was sealed with age (its name ends in `.tar.gz.age`). */
  sealed: z.boolean(),
  trigger: BackupTriggerSchema,
  /** Older backups deleted by the retention, newest first. */
  pruned: z.array(z.string()),
  /** Backups the retention could not delete, or why pruning failed as a whole; the backup itself is fine. */
  pruneProblems: z.array(z.string()),
  /**
   * What the backup took over from the newest one before it (unchanged chunks, not compressed
   * again), or why it compressed everything (core's ChunkReuseReport).
   */
  reuse: ChunkReuseReportSchema.optional(),
});
export type BackupJobResult = z.infer<typeof BackupJobResultSchema>;

/** Options of {@link backupJobSpec}. */
export interface BackupJobOptions {
  dataDir: string;
  backupDir: string;
  /** The retention rule pruning applies after the backup (settings/backup-settings.ts's backupRetentionRule). */
  retention: RetentionRule;
  /** Identities that open the directory's sealed backups, so that pruning knows which were made by hand. */
  identities?: () => readonly string[];
  /**
   * False for a backup known to be damaged (a failed verification). Pruning keeps the newest backup
   * and the newest good one; the backup this job writes counts as not proven yet.
   */
  good?: PruneOptions['good'];
  trigger: 'manual' | 'scheduled';
  /**
   * The key to seal the backup with, asked when the job starts (so a key saved while it waited
   * counts); undefined or returning undefined: a plain backup.
   */
  seal?: () => SealKey | undefined;
  onSuccess?: (result: BackupJobResult) => void;
  onFailure?: (error: JobError, cause: unknown) => void;
}

/** A job that backs up `dataDir` into `backupDir` and prunes by `retention`. */
export function backupJobSpec(options: BackupJobOptions): JobSpec<'backup'> {
  const { dataDir, backupDir, trigger } = options;
  return {
    kind: 'backup',
    label: `${trigger === 'scheduled' ? 'Scheduled backup' : 'Backup'} to ${backupDir}`,
    // It reads the data directory (its work files are private) and writes only the backup directory.
    writesDataDir: false,
    async run({ signal, report }) {
      await refuseBackupPathInDataDir(backupDir, dataDir);
      await ensureBackupDirWritable(backupDir);
      const created = await createBackup({
        dataDir,
        destination: { kind: 'directory', backupDir },
        trigger,
        signal,
        onProgress: (progress) => report(progress),
        seal: options.seal?.(),
        // A sealed previous backup is opened with the instance's identities to take chunks over.
        reuse: { identities: options.identities?.() },
      });
      report({ phase: 'prune', bytesDone: 0 });
      const pruneProblems: string[] = [];
      let pruned: string[] = [];
      try {
        const result = await pruneBackups(backupDir, options.retention, {
          identities: options.identities?.(),
          // The backup just written is not proven until it is verified: the newest one before it
          // that did not fail its verification stays too.
          good: async (entry) => (entry.fileName === created.fileName ? false : options.good?.(entry)),
        });
        pruned = result.deleted;
        pruneProblems.push(...result.failed.map((failure) => `${failure.fileName}: ${failure.message}`));
      } catch (error) {
        // The backup is written and safe; a failed prune must not make the job look failed.
        pruneProblems.push(error instanceof Error ? error.message : String(error));
      }
      return {
        fileName: created.fileName,
        path: created.path ?? backupDir,
        size: created.size,
        sealed: created.sealed,
        trigger,
        pruned,
        pruneProblems,
        reuse: created.reuse,
      };
    },
    ...(options.onSuccess ? { onSuccess: options.onSuccess } : {}),
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
  };
}
