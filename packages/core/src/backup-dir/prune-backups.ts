/**
 * Retention. DOCSight's `cleanup_old_backups(keep)` deletes everything after the newest `keep`
 * files, counting manual and scheduled backups alike. Evidence Locker keeps that rule with two
 * exceptions:
 * - a `pre-restore` backup (the copy of the live data taken right before a restore overwrote it) is
 *   never pruned and does not count against `keep`: it is the only way back from a wrong restore,
 *   and a run of scheduled backups after the restore must not push it out. It goes only when a user
 *   deletes it.
 * - the newest backup is never deleted, whatever `keep` says.
 * Archives whose trigger cannot be read (every DOCSight archive) count like any other backup.
 */
import { unlink } from 'node:fs/promises';
import { z } from 'zod';
import { errnoCode, LockerError } from '../errors.ts';
import { listBackups } from './list-backups.ts';

export const MIN_RETENTION = 1;
export const MAX_RETENTION = 100;

export const PruneResultSchema = z.object({
  /** File names deleted, newest first. */
  deleted: z.array(z.string()),
  /** File names still there, newest first (pre-restore backups included). */
  kept: z.array(z.string()),
  /** Files that should have gone but could not be deleted; they are not in `kept`. */
  failed: z.array(z.object({ fileName: z.string(), message: z.string() })),
});
export type PruneResult = z.infer<typeof PruneResultSchema>;

/**
 * Deletes the backups in `backupDir` beyond the newest `keep` (an integer 1..100, else
 * INVALID_ARGUMENT), never the newest and never a pre-restore backup. A file that cannot be deleted
 * is reported in `failed` and the rest still go. A missing directory prunes nothing.
 */
export async function pruneBackups(backupDir: string, keep: number): Promise<PruneResult> {
  if (!Number.isInteger(keep) || keep < MIN_RETENTION || keep > MAX_RETENTION) {
    throw new LockerError(
      'INVALID_ARGUMENT',
      `Retention must be a whole number of backups from ${MIN_RETENTION} to ${MAX_RETENTION}, got ${String(keep)}.`,
      { details: { keep } },
    );
  }
  const backups = await listBackups(backupDir);
  const result: PruneResult = { deleted: [], kept: [], failed: [] };
  let counted = 0;
  for (const [index, backup] of backups.entries()) {
    const isNewest = index === 0;
    if (backup.trigger === 'pre-restore' || isNewest || counted < keep) {
      if (backup.trigger !== 'pre-restore') counted += 1;
      result.kept.push(backup.fileName);
      continue;
    }
    try {
      await unlink(backup.path);
      result.deleted.push(backup.fileName);
    } catch (error) {
      // Already gone (a concurrent delete) is what pruning wanted anyway.
      if (errnoCode(error) === 'ENOENT') result.deleted.push(backup.fileName);
      else result.failed.push({ fileName: backup.fileName, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}
