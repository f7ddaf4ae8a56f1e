/**
 * Retention in the backup directory. DOCSight's `cleanup_old_backups(keep)` deletes everything
 * after the newest `keep` files, counting manual and scheduled backups alike. Evidence Locker
 * applies a full retention rule (retention/decide-retention.ts): keep N, keep days, daily / weekly /
 * monthly generations, a copy kept when any part keeps it, and
 * - a `pre-restore` backup (the copy of the live data taken right before a restore overwrote it) is
 *   kept and not counted unless the rule includes it (`includePreRestore`, off by default and in
 *   DOCSight's keep-N): it is the only way back from a wrong restore, and a run of scheduled
 *   backups after the restore must not push it out;
 * - backups made by hand (`manual`, `download`) are kept and not counted unless the rule includes
 *   them; a plain number `keep` is DOCSight's rule and includes them;
 * - the newest backup, and the newest one not known to be damaged, are never deleted.
 * A backup's time is the one in its file name (when it was made, in this server's local time, as
 * DOCSight names them), its modification time only for a name that holds no real time: a directory
 * copied with `cp -r` or `rsync` without `-t` gives every file today's mtime, and dating by it would
 * make daily / weekly / monthly delete months of history. Generations use the calendar of this
 * process's time zone. Archives whose trigger cannot be read (every DOCSight
 * archive, a sealed one without the instance's identities) count like scheduled ones.
 */
import { unlink } from 'node:fs/promises';
import { z } from 'zod';
import { errnoCode, LockerError } from '../errors.ts';
import { decideRetention, type RetentionCandidate, type RetentionDecision } from '../retention/decide-retention.ts';
import type { RetentionRule } from '../retention/retention-rule.ts';
import type { BackupListEntry } from './backup-list-entry.ts';
import { backupMadeAt, compareBackupsNewestFirst } from './backup-made-at.ts';
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
  /** Sealed backups kept because their trigger could not be read (`keepUnreadSealed`), newest first; they are in `kept` too. */
  keptUnread: z.array(z.string()),
});
export type PruneResult = z.infer<typeof PruneResultSchema>;

/** Options of {@link pruneBackups} and {@link planBackupDirRetention}. */
export interface PruneOptions {
  /** The moment the rule is applied at; default now. */
  now?: Date | undefined;
  /** IANA time zone of the generations' calendar; default this process's. */
  timeZone?: string | undefined;
  /** Identities that open sealed backups, so that their trigger (manual or scheduled) is known. */
  identities?: readonly string[] | undefined;
  /** False for a backup known to be damaged (a failed verification); such a one is not "the newest good". */
  good?: ((entry: BackupListEntry) => boolean | undefined | Promise<boolean | undefined>) | undefined;
  /**
   * Keep, and leave out of the counting, every sealed backup whose trigger `identities` do not
   * read: it may be a manual or pre-restore backup the rule must not delete. Default false (counted).
   */
  keepUnreadSealed?: boolean | undefined;
}

/** A backup of the directory as the retention rule sees it. */
export type BackupDirCandidate = RetentionCandidate & { entry: BackupListEntry };

/**
 * What `rule` (or DOCSight's keep-`N`, an integer 1..100) would keep and delete in `backupDir`,
 * without deleting anything. Throws INVALID_ARGUMENT for a rule out of range, BACKUP_DIR_UNUSABLE
 * for a directory that cannot be read; a missing directory has nothing to decide.
 */
export async function planBackupDirRetention(
  backupDir: string,
  rule: number | RetentionRule,
  options: PruneOptions = {},
): Promise<RetentionDecision<BackupDirCandidate>> {
  const checked = typeof rule === 'number' ? docsightRule(rule) : rule;
  const entries = await listBackups(backupDir, { identities: options.identities });
  const candidates: BackupDirCandidate[] = [];
  for (const entry of entries) {
    candidates.push({
      name: entry.fileName,
      madeAt: backupMadeAt(entry.fileName, entry.modified),
      trigger: entry.trigger,
      good: await options.good?.(entry),
      entry,
    });
  }
  const unread = options.keepUnreadSealed === true ? candidates.filter(isUnreadSealed) : [];
  const decision = decideRetention(
    candidates.filter((candidate) => !unread.includes(candidate)),
    checked,
    { now: options.now ?? new Date(), timeZone: options.timeZone },
  );
  if (unread.length === 0) return decision;
  const kept = [...decision.kept, ...unread.map((copy) => ({ copy, reason: 'outside-rule' as const }))];
  return { ...decision, kept: kept.sort((a, b) => compareBackupsNewestFirst(a.copy, b.copy)) };
}

/** A sealed backup whose trigger was not read (no identity given opens it). */
function isUnreadSealed(candidate: BackupDirCandidate): boolean {
  return candidate.entry.sealed !== null && candidate.trigger === null;
}

/**
 * Deletes the backups in `backupDir` that `rule` does not keep ({@link planBackupDirRetention}).
 * A file that cannot be deleted is reported in `failed` and the rest still go.
 */
export async function pruneBackups(backupDir: string, rule: number | RetentionRule, options: PruneOptions = {}): Promise<PruneResult> {
  const decision = await planBackupDirRetention(backupDir, rule, options);
  const result: PruneResult = {
    deleted: [],
    kept: decision.kept.map(({ copy }) => copy.name),
    failed: [],
    keptUnread:
      options.keepUnreadSealed === true ? decision.kept.filter(({ copy }) => isUnreadSealed(copy)).map(({ copy }) => copy.name) : [],
  };
  for (const { entry } of decision.deleted) {
    try {
      await unlink(entry.path);
      result.deleted.push(entry.fileName);
    } catch (error) {
      // Already gone (a concurrent delete) is what pruning wanted anyway.
      if (errnoCode(error) === 'ENOENT') result.deleted.push(entry.fileName);
      else result.failed.push({ fileName: entry.fileName, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

/** DOCSight's rule: the newest `keep` (1..100), manual backups counted. */
function docsightRule(keep: number): RetentionRule {
  if (!Number.isInteger(keep) || keep < MIN_RETENTION || keep > MAX_RETENTION) {
    throw new LockerError(
      'INVALID_ARGUMENT',
      `Retention must be a whole number of backups from ${MIN_RETENTION} to ${MAX_RETENTION}, got ${String(keep)}.`,
      { details: { keep } },
    );
  }
  return { keepLast: keep, includeManual: true };
}
