/**
 * A schedule's state for tests that decide from one (the protection line, the locations, the dead
 * man's switch): a daily schedule into /backups that is on and has not run yet, with `overrides`.
 */
import type { ScheduleState } from '../../src/schedule-state.ts';

export function scheduleState(overrides: Partial<ScheduleState> = {}): ScheduleState {
  return {
    enabled: true,
    reason: null,
    paused: false,
    backupPath: '/backups',
    intervalHours: 24,
    retention: 5,
    retentionRule: { keepLast: 5, includeManual: false, includePreRestore: false },
    lastSuccessAt: null,
    lastSuccessFile: null,
    lastFailureAt: null,
    lastFailureMessage: null,
    consecutiveFailures: 0,
    failingSince: null,
    lastFailureCode: null,
    lastFailureDetails: {},
    previousBackupPaths: [],
    nextRunAt: null,
    running: false,
    lastBackupAt: null,
    nextBackupAt: null,
    ...overrides,
  };
}
