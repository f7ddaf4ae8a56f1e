/**
 * Which copies of one location a retention rule keeps and which it deletes (pure; the caller
 * deletes). A copy is kept when any of these keeps it:
 * - it is outside the rule: made by hand (`manual`, `download`) unless `includeManual`, a
 *   `pre-restore` copy unless `includePreRestore`; such copies are not counted either, so a run of
 *   Backup now presses never pushes a scheduled backup out;
 * - its time cannot be judged: made after `now` (a clock that was set back, or a copy from a machine
 *   whose clock ran ahead) or with no valid time; those are not counted either;
 * - it is the newest copy, or the newest good one (`good` not false): never deleted;
 * - a part of the rule keeps it (retention-rule.ts): keepLast, keepDays, daily, weekly, monthly,
 *   counted over the copies under the rule, newest first; generations use the calendar of
 *   `timeZone` (default: this process's).
 * A rule with no counting part keeps everything.
 */
import { LockerError } from '../errors.ts';
import { compareBackupsNewestFirst } from '../backup-dir/backup-made-at.ts';
import type { BackupTrigger } from '../archive/format/backup-meta.ts';
import { calendarPeriods, localTimeZone, type CalendarPeriods } from './calendar-periods.ts';
import { keepsEverything, RetentionRuleSchema, type RetentionRule } from './retention-rule.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** One copy a rule decides about. */
export interface RetentionCandidate {
  /** Unique within the location (the file or object name). */
  name: string;
  /** When the backup was made. */
  madeAt: Date;
  /** What made it; null when unknown (DOCSight's archives, remote copies): counted like scheduled ones. */
  trigger: BackupTrigger | null;
  /** False when the copy is known to be damaged (a failed verification); absent or true otherwise. */
  good?: boolean | undefined;
}

/** Options of {@link decideRetention}. */
export interface RetentionOptions {
  now: Date;
  /** IANA time zone of the calendar the generations use; default this process's. */
  timeZone?: string | undefined;
}

/** Why a copy is kept, the first reason that applies. */
export type KeepReason =
  'outside-rule' | 'future' | 'newest' | 'newest-good' | 'no-rule' | 'keep-last' | 'keep-days' | 'daily' | 'weekly' | 'monthly';

/** The decision, both lists newest first. */
export interface RetentionDecision<T extends RetentionCandidate> {
  kept: { copy: T; reason: KeepReason }[];
  deleted: T[];
}

/**
 * Decides `candidates` under `rule` at `options.now`. Throws INVALID_ARGUMENT for a rule outside
 * its schema, an invalid `now` or an unknown time zone; never for what the candidates hold.
 */
export function decideRetention<T extends RetentionCandidate>(
  candidates: readonly T[],
  rule: RetentionRule,
  options: RetentionOptions,
): RetentionDecision<T> {
  const checked = RetentionRuleSchema.safeParse(rule);
  if (!checked.success) {
    throw new LockerError('INVALID_ARGUMENT', `The retention rule is invalid: ${checked.error.issues[0]?.message ?? 'unexpected shape'}`);
  }
  const now = options.now.getTime();
  if (Number.isNaN(now)) throw new LockerError('INVALID_ARGUMENT', 'The retention time is not a valid date.');
  const timeZone = options.timeZone ?? localTimeZone();
  // Checked even when nothing needs the calendar, so a wrong zone is found on the first run.
  calendarPeriods(options.now, timeZone);
  const sorted = [...candidates].sort(compareBackupsNewestFirst);
  const reasons = new Map<T, KeepReason>();
  const keep = (copy: T | undefined, reason: KeepReason): void => {
    if (copy !== undefined && !reasons.has(copy)) reasons.set(copy, reason);
  };

  const counted: T[] = [];
  for (const copy of sorted) {
    const time = copy.madeAt.getTime();
    if (outsideRule(copy.trigger, checked.data)) keep(copy, 'outside-rule');
    else if (Number.isNaN(time) || time > now) keep(copy, 'future');
    else counted.push(copy);
  }
  keep(sorted[0], 'newest');
  keep(
    sorted.find((copy) => copy.good !== false),
    'newest-good',
  );
  if (keepsEverything(checked.data)) for (const copy of sorted) keep(copy, 'no-rule');

  const { keepLast, keepDays, daily, weekly, monthly } = checked.data;
  if (keepLast !== undefined) for (const copy of counted.slice(0, keepLast)) keep(copy, 'keep-last');
  if (keepDays !== undefined) {
    for (const copy of counted) if (now - copy.madeAt.getTime() <= keepDays * DAY_MS) keep(copy, 'keep-days');
  }
  const periods = new Map<T, CalendarPeriods>();
  const periodsOf = (copy: T): CalendarPeriods => {
    let found = periods.get(copy);
    if (found === undefined) periods.set(copy, (found = calendarPeriods(copy.madeAt, timeZone)));
    return found;
  };
  const generations: [number | undefined, keyof CalendarPeriods, KeepReason][] = [
    [daily, 'day', 'daily'],
    [weekly, 'week', 'weekly'],
    [monthly, 'month', 'monthly'],
  ];
  for (const [count, period, reason] of generations) {
    if (count === undefined) continue;
    const seen = new Set<string>();
    for (const copy of counted) {
      const key = periodsOf(copy)[period];
      if (seen.has(key)) continue;
      // The first copy of a period met going newest first is its newest.
      seen.add(key);
      keep(copy, reason);
      if (seen.size >= count) break;
    }
  }

  const decision: RetentionDecision<T> = { kept: [], deleted: [] };
  for (const copy of sorted) {
    const reason = reasons.get(copy);
    if (reason === undefined) decision.deleted.push(copy);
    else decision.kept.push({ copy, reason });
  }
  return decision;
}

function outsideRule(trigger: BackupTrigger | null, rule: RetentionRule): boolean {
  if (trigger === 'manual' || trigger === 'download') return rule.includeManual !== true;
  if (trigger === 'pre-restore') return rule.includePreRestore !== true;
  return false;
}
