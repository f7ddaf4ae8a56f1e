/**
 * Retention at a target: which copies to delete, decided from a listing alone (pure; the caller
 * deletes). Rules, so that a target shared with other instances or holding anything else loses
 * nothing it should not:
 * - only backups this instance made are candidates (`ownNames`, from the caller's record of what it
 *   uploaded) and only names that are backup file names;
 * - the newest of them is never deleted, whatever the rule says;
 * - keepLast keeps the newest N, keepDays keeps every copy not older than N × 24 hours; a copy is
 *   kept when either keeps it; a rule with neither keeps everything;
 * - a copy's time is the one in its name (when the backup was made, in this server's local time, as
 *   DOCSight names them), else the target's modification time; a copy with neither is kept.
 */
import { parseBackupFileTime, isBackupFileName } from '../backup-dir/is-backup-file-name.ts';
import { LockerError } from '../errors.ts';
import type { TargetEntry } from './backup-target.ts';
import { TargetRetentionSchema, type TargetRetention } from './target-config.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The names in `entries` to delete under `rule` at `now`, newest first. Throws INVALID_ARGUMENT
 * for a rule outside keepLast 1–1000, keepDays 1–3650 or an invalid `now`.
 */
export function targetRetention(
  entries: readonly TargetEntry[],
  rule: TargetRetention,
  now: Date,
  ownNames: (name: string) => boolean,
): string[] {
  const checked = TargetRetentionSchema.safeParse(rule);
  if (!checked.success) {
    throw new LockerError('INVALID_ARGUMENT', `The retention rule is invalid: ${checked.error.issues[0]?.message ?? 'unexpected shape'}`);
  }
  if (Number.isNaN(now.getTime())) throw new LockerError('INVALID_ARGUMENT', 'The retention time is not a valid date.');
  const { keepLast, keepDays } = checked.data;
  if (keepLast === undefined && keepDays === undefined) return [];
  const dated: { name: string; time: number }[] = [];
  for (const entry of entries) {
    if (!isBackupFileName(entry.name) || !ownNames(entry.name)) continue;
    const time = copyTime(entry);
    if (time !== null) dated.push({ name: entry.name, time });
  }
  dated.sort((a, b) => b.time - a.time || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  return dated
    .filter((copy, index) => {
      if (index === 0) return false;
      if (keepLast !== undefined && index < keepLast) return false;
      if (keepDays !== undefined && now.getTime() - copy.time <= keepDays * DAY_MS) return false;
      return true;
    })
    .map((copy) => copy.name);
}

function copyTime(entry: TargetEntry): number | null {
  const named = parseBackupFileTime(entry.name);
  if (named !== null) return named.getTime();
  if (entry.modified === null) return null;
  const modified = Date.parse(entry.modified);
  return Number.isNaN(modified) ? null : modified;
}
