/**
 * Retention at a target: which copies to delete, decided from a listing alone (pure; the caller
 * deletes). Rules, so that a target shared with other instances or holding anything else loses
 * nothing it should not:
 * - only backups this instance made are candidates (`ownNames`, from the caller's record of what it
 *   uploaded) and only names that are backup file names;
 * - the newest of them is never deleted, whatever the rule says;
 * - keepLast, keepDays, daily, weekly and monthly as in retention/decide-retention.ts (the same
 *   rule the backup directory uses); a copy is kept when any part keeps it; no part keeps everything;
 * - a copy's time is the one in its name (when the backup was made, in this server's local time, as
 *   DOCSight names them), else the target's modification time; a copy with neither is kept.
 * - what made a copy comes from the caller's record (`triggerOf`, target-state.ts): a copy of a
 *   manual backup stays outside the rule unless `includeManual`, a pre-restore one unless
 *   `includePreRestore`; a copy
 *   whose trigger is unknown counts like a scheduled one.
 */
import { parseBackupFileTime, isBackupFileName } from '../backup-dir/is-backup-file-name.ts';
import type { BackupTrigger } from '../archive/format/backup-meta.ts';
import { LockerError } from '../errors.ts';
import { decideRetention, type RetentionCandidate } from '../retention/decide-retention.ts';
import type { TargetEntry } from './backup-target.ts';
import { TargetRetentionSchema, type TargetRetention } from './target-config.ts';

/** What a target's retention would do: the copies it deletes (newest first) and how many own copies stay. */
export interface TargetRetentionPlan {
  deleted: { name: string; madeAt: Date }[];
  kept: number;
}

/** Options of {@link planTargetRetention} and {@link targetRetention}. */
export interface TargetRetentionOptions {
  /** IANA zone of the generations' calendar; default this process's. */
  timeZone?: string | undefined;
  /** What made the own copy `name` (target-state.ts's copyTrigger); default: unknown for all. */
  triggerOf?: ((name: string) => BackupTrigger | null) | undefined;
}

/**
 * The plan of `rule` over the target's listing `entries` at `now`: only own backup copies
 * (`ownNames`) are counted and may be deleted, never the newest of them; manual and pre-restore
 * copies (`options.triggerOf`) as the rule says. Throws INVALID_ARGUMENT for a rule outside
 * keepLast 1–1000, keepDays 1–3650, daily 1–3650, weekly 1–520, monthly 1–1200 or an invalid `now`.
 */
export function planTargetRetention(
  entries: readonly TargetEntry[],
  rule: TargetRetention,
  now: Date,
  ownNames: (name: string) => boolean,
  options: TargetRetentionOptions = {},
): TargetRetentionPlan {
  const checked = TargetRetentionSchema.safeParse(rule);
  if (!checked.success) {
    throw new LockerError('INVALID_ARGUMENT', `The retention rule is invalid: ${checked.error.issues[0]?.message ?? 'unexpected shape'}`);
  }
  const candidates: RetentionCandidate[] = [];
  for (const entry of entries) {
    if (!isBackupFileName(entry.name) || !ownNames(entry.name)) continue;
    candidates.push({
      name: entry.name,
      madeAt: new Date(copyTime(entry) ?? Number.NaN),
      trigger: options.triggerOf?.(entry.name) ?? null,
    });
  }
  const decision = decideRetention(candidates, checked.data, { now, timeZone: options.timeZone });
  return { deleted: decision.deleted.map(({ name, madeAt }) => ({ name, madeAt })), kept: decision.kept.length };
}

/** The names in `entries` to delete under `rule` at `now`, newest first ({@link planTargetRetention}). */
export function targetRetention(
  entries: readonly TargetEntry[],
  rule: TargetRetention,
  now: Date,
  ownNames: (name: string) => boolean,
  options: TargetRetentionOptions = {},
): string[] {
  return planTargetRetention(entries, rule, now, ownNames, options).deleted.map((copy) => copy.name);
}

function copyTime(entry: TargetEntry): number | null {
  const named = parseBackupFileTime(entry.name);
  if (named !== null) return named.getTime();
  if (entry.modified === null) return null;
  const modified = Date.parse(entry.modified);
  return Number.isNaN(modified) ? null : modified;
}
