/**
 * What the backup schedule tells the dashboard and the settings page (schedule/backup-scheduler.ts
 * fills it in). Times are ISO 8601 with the server's UTC offset, like the backup list's `modified`.
 */
import { RetentionRuleSchema } from '@evidence-locker/core';
import { z } from 'zod';

export const ScheduleStateSchema = z.object({
  /** Whether scheduled backups run: started, backup_enabled on, not demo mode. */
  enabled: z.boolean(),
  /**
   * Why the schedule is off: `demo mode`, `turned off in the settings` or `not started`; null
   * while enabled. DOCSight silently never schedules in demo mode; this says so.
   */
  reason: z.string().nullable(),
  /** True while a restore holds the schedule (no timer runs; a backup in progress finishes). */
  paused: z.boolean(),
  /** The directory scheduled backups go to (the saved backup_path, else BACKUP_DIR). */
  backupPath: z.string(),
  /** 24 (daily) or 168 (weekly) as saved; other positive values from a hand-edited config are used as they are. */
  intervalHours: z.number().int().positive(),
  /** Backups kept after each scheduled run (the rule's keep N; `retentionRule` is the whole rule). */
  retention: z.number().int().positive(),
  /**
   * The whole rule applied after each scheduled run (settings/backup-settings.ts): keep N, keep
   * days, daily / weekly / monthly, and whether manual and pre-restore backups fall under it.
   */
  retentionRule: RetentionRuleSchema,
  /** When the last scheduled backup finished (seeded from the newest scheduled archive on disk); null when none. */
  lastSuccessAt: z.string().nullable(),
  /** That backup's file name. */
  lastSuccessFile: z.string().nullable(),
  /**
   * When a scheduled backup last failed; kept after a later success (compare with lastSuccessAt),
   * forgotten once another backup path is saved: it was about the old one.
   */
  lastFailureAt: z.string().nullable(),
  /** What went wrong then, written for the user (path, uid and the fix for an unusable directory). */
  lastFailureMessage: z.string().nullable(),
  /** Failures since the last success; retries come after 1, 2, 4, … minutes, at most 60. */
  consecutiveFailures: z.number().int().nonnegative(),
  /** When the first of those failures happened; null while the last run succeeded (or none failed since a settings change). */
  failingSince: z.string().nullable(),
  /** The code of the last failure (the engine's, e.g. `BACKUP_DIR_UNUSABLE`, or `INTERNAL`), for a text in the user's language. */
  lastFailureCode: z.string().nullable(),
  /** The facts that failure's text may name (the directory's path, …). */
  lastFailureDetails: z.record(z.string(), z.union([z.string(), z.number()])),
  /**
   * Directories backups went to before the backup path was changed in this process, newest first
   * (at most 3; a restart forgets them), so their backups still count as copies.
   */
  previousBackupPaths: z.array(z.string()),
  /** When the next scheduled backup starts; null while off, paused or running. */
  nextRunAt: z.string().nullable(),
  /** True while a scheduled backup job is queued or running. */
  running: z.boolean(),
  /** Time of the newest backup in the backup directory, whatever made it; null when none. */
  lastBackupAt: z.string().nullable(),
  /** Same as nextRunAt (the dashboard's name for it). */
  nextBackupAt: z.string().nullable(),
});
export type ScheduleState = z.infer<typeof ScheduleStateSchema>;

/** Returns the schedule's state, or null while no schedule is running in this process. */
export type ScheduleStateSource = () => ScheduleState | null;
