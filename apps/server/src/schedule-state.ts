/**
 * What the backup schedule tells the dashboard. The schedule module provides it through the
 * `scheduleState` function given to buildServer; until then the dashboard reports `null` rather
 * than invented times.
 */
import { z } from 'zod';

export const ScheduleStateSchema = z.object({
  /** Whether scheduled backups run (backup_enabled, a backup path, not demo mode). */
  enabled: z.boolean(),
  /** ISO time of the newest backup in the backup directory, whatever made it; null when none. */
  lastBackupAt: z.string().nullable(),
  /** ISO time the next scheduled backup is due; null when the schedule is off. */
  nextBackupAt: z.string().nullable(),
});
export type ScheduleState = z.infer<typeof ScheduleStateSchema>;

/** Returns the schedule's state, or null while no schedule is running in this process. */
export type ScheduleStateSource = () => ScheduleState | null;
