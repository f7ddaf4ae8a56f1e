/**
 * A retention rule: which backups of one location (the backup directory, or an offsite target) to
 * keep. Every part is optional and a copy is kept when ANY part keeps it:
 * - `keepLast`: the newest N;
 * - `keepDays`: every copy not older than N × 24 hours (elapsed time, so a daylight-saving change
 *   neither adds nor removes an hour's copies);
 * - `daily`, `weekly`, `monthly` (generations): the newest copy of each of the last D calendar days,
 *   W ISO weeks and M calendar months that have one, in the location's time zone;
 * - `includeManual`: whether backups made by hand (Backup now, a download's backup) fall under the
 *   rule; false (the default) keeps them all and leaves them out of the counting;
 * - `includePreRestore`: the same for the copy taken before a restore; false (the default) keeps it.
 * A rule with none of keepLast, keepDays, daily, weekly, monthly keeps everything.
 */
import { z } from 'zod';

export const RETENTION_LIMITS = {
  keepLast: 1000,
  keepDays: 3650,
  daily: 3650,
  weekly: 520,
  monthly: 1200,
} as const;

/** The parts of a rule that count copies, in the order they are named to a user. */
export const RETENTION_COUNTS = ['keepLast', 'keepDays', 'daily', 'weekly', 'monthly'] as const;
export type RetentionCount = (typeof RETENTION_COUNTS)[number];

const WORDS: Record<RetentionCount, string> = {
  keepLast: 'keepLast',
  keepDays: 'keepDays',
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
};

/** One counting part: a whole number from 1 to its limit, or absent (off). */
export function retentionCountSchema(part: RetentionCount) {
  const max = RETENTION_LIMITS[part];
  return z
    .int({ error: `${WORDS[part]} must be a whole number.` })
    .min(1, `${WORDS[part]} must be at least 1.`)
    .max(max, `${WORDS[part]} must be at most ${max}.`)
    .optional();
}

export const RetentionRuleSchema = z.strictObject(
  {
    keepLast: retentionCountSchema('keepLast'),
    keepDays: retentionCountSchema('keepDays'),
    daily: retentionCountSchema('daily'),
    weekly: retentionCountSchema('weekly'),
    monthly: retentionCountSchema('monthly'),
    includeManual: z.boolean({ error: 'includeManual must be true or false.' }).optional(),
    includePreRestore: z.boolean({ error: 'includePreRestore must be true or false.' }).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? 'A retention rule holds only keepLast, keepDays, daily, weekly, monthly, includeManual and includePreRestore.'
        : 'A retention rule must be an object.',
  },
);
/** Which copies a location keeps; see the top of this file. */
export type RetentionRule = z.infer<typeof RetentionRuleSchema>;

/** True when `rule` has no counting part: it keeps every copy. */
export function keepsEverything(rule: RetentionRule): boolean {
  return RETENTION_COUNTS.every((part) => rule[part] === undefined);
}
