/**
 * What restore and demo seeding need from the backup schedule: hold it while the data directory
 * changes, and let it go on afterwards. The scheduler (schedule/backup-scheduler.ts, on the
 * services as `scheduler`) fits; restore code depends only on this interface.
 */

/** Pausing and resuming the backup schedule. */
export interface SchedulePause {
  pause(): void | Promise<void>;
  resume(): void | Promise<void>;
}

/**
 * Runs `work` with the schedule paused; resumes it however `work` ends. Without a schedule it just
 * runs `work`.
 */
export async function withSchedulePaused<T>(schedule: SchedulePause | undefined, work: () => Promise<T>): Promise<T> {
  await schedule?.pause();
  try {
    return await work();
  } finally {
    await schedule?.resume();
  }
}
