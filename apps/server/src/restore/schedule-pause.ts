/**
 * What restore and demo seeding need from the schedules: hold them while the data directory
 * changes, and let them go on afterwards. The backup scheduler (schedule/backup-scheduler.ts, on
 * the services as `scheduler`) and the test restores' (proof/test-restore-scheduler.ts, as
 * `testRestores`) fit; {@link serverSchedules} holds both, and restore code depends only on this
 * interface.
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

/** The schedules a server runs, which every restore and demo seeding holds together. */
export interface ServerSchedules {
  /** Scheduled backups. */
  scheduler: SchedulePause;
  /** Scheduled test restores: one during a restore would test the pre-restore backup, maybe sealed with a key the restored config lacks. */
  testRestores: SchedulePause;
}

/** Both of a server's schedules as one: paused together, resumed together (each, however the other's resume ends). */
export function serverSchedules(services: ServerSchedules): SchedulePause {
  return {
    async pause() {
      await services.scheduler.pause();
      await services.testRestores.pause();
    },
    async resume() {
      try {
        await services.testRestores.resume();
      } finally {
        await services.scheduler.resume();
      }
    },
  };
}
