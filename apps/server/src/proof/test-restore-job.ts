/**
 * The `test-restore` job: restores one backup of the backup directory (the newest, chosen when the
 * job starts rather than when it was queued, so a backup or restore queued ahead of it that
 * prunes or replaces backups cannot hand it a file that is gone; the scheduler and "Run now" take
 * it so) into a scratch directory beside the others and checks it (core's testRestore: checksums,
 * integrity checks before and after DOCSight's migrations, row counts against the meta). A sealed
 * backup is opened with the instance's keys. It writes only inside the backup directory, so it runs
 * in the main queue like a verification, never beside a backup or a restore.
 */
import path from 'node:path';
import { LockerError, formatLocalIso, listBackups, testRestore } from '@evidence-locker/core';
import { z } from 'zod';
import type { Instance } from '../instance/instance.ts';
import type { JobError } from '../jobs/job-snapshot.ts';
import type { JobSpec } from '../jobs/job-runner.ts';
import { instanceIdentities, instanceSealSettings } from '../seal/instance-seal-settings.ts';
import { openKeyFor } from '../seal/open-key.ts';

export const TestRestoreJobResultSchema = z.object({
  /** The backup that was restored. */
  fileName: z.string(),
  size: z.number().int().nonnegative(),
  /** When that backup was made (its meta's timestamp, server's offset); null when unknown. */
  backupMadeAt: z.string().nullable(),
  /** Databases that passed SQLite's integrity check after the migrations. */
  databasesChecked: z.array(z.string()),
  /** Tables whose row counts matched the meta. */
  tablesCompared: z.number().int().nonnegative(),
  /** Data files the restore produced. */
  restoredFiles: z.array(z.string()),
});
export type TestRestoreJobResult = z.infer<typeof TestRestoreJobResultSchema>;

/** Options of {@link testRestoreJobSpec}. */
export interface TestRestoreJobOptions {
  instance: Instance;
  /** The backup directory. */
  backupDir: string;
  /**
   * The backup to restore; without it, the newest backup there when the job starts (the scheduler
   * and "Run now"), BACKUP_NOT_FOUND when there is none any more.
   */
  fileName?: string | undefined;
  /** Told which backup the job restores, once it is chosen (before it is opened). */
  onChosen?: (backup: { fileName: string; modified: string | null }) => void;
  onSuccess?: (result: TestRestoreJobResult) => void;
  onFailure?: (error: JobError, cause: unknown) => void;
}

/** A job that test-restores a backup (see the file comment). */
export function testRestoreJobSpec(options: TestRestoreJobOptions): JobSpec<'test-restore'> {
  const { instance, backupDir } = options;
  return {
    kind: 'test-restore',
    label: options.fileName === undefined ? 'Test restore of the newest backup' : `Test restore of ${options.fileName}`,
    writesDataDir: false,
    async run({ signal, report }) {
      const chosen =
        options.fileName === undefined ? await chooseNewest(instance, backupDir) : { fileName: options.fileName, modified: null };
      const { fileName } = chosen;
      options.onChosen?.(chosen);
      const key = await openKeyFor(instanceSealSettings(instance), path.join(backupDir, fileName));
      const result = await testRestore(backupDir, fileName, {
        key,
        dataDir: instance.dataDir,
        signal,
        onProgress: (progress) => report(progress),
      });
      return {
        fileName,
        size: result.size,
        backupMadeAt: result.madeAt === null ? null : formatLocalIso(result.madeAt),
        databasesChecked: result.databasesChecked,
        tablesCompared: result.tablesCompared,
        restoredFiles: result.restoredFiles,
      };
    },
    ...(options.onSuccess ? { onSuccess: options.onSuccess } : {}),
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
  };
}

/** The newest backup of `backupDir` now; BACKUP_NOT_FOUND when it holds none (they were pruned or moved meanwhile). */
async function chooseNewest(instance: Instance, backupDir: string): Promise<{ fileName: string; modified: string }> {
  const [newest] = await listBackups(backupDir, { identities: instanceIdentities(instance) });
  if (newest === undefined) {
    throw new LockerError('BACKUP_NOT_FOUND', `There is no backup in ${backupDir} to test any more.`, { details: { path: backupDir } });
  }
  return { fileName: newest.fileName, modified: newest.modified };
}
