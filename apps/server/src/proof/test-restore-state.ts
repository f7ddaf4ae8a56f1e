/**
 * What the test restores (issue 19: proof of restorability) tell the dashboard, the settings page
 * and /metrics. Times are ISO 8601 with the server's UTC offset, like the schedule's.
 */
import { z } from 'zod';

export const TestRestoreOutcomeSchema = z.object({
  ok: z.boolean(),
  /** When the test restore finished. */
  at: z.string(),
  /** The backup that was restored. */
  fileName: z.string(),
  /** When that backup was made (its meta's or name's time); null when unknown. */
  backupMadeAt: z.string().nullable(),
  /** The code of what failed, when `ok` is false. */
  code: z.string().optional(),
  /** What failed, written for the user, when `ok` is false. */
  message: z.string().optional(),
  /** The facts the code's text may name. */
  details: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type TestRestoreOutcome = z.infer<typeof TestRestoreOutcomeSchema>;

export const TestRestoreStateSchema = z.object({
  /** Whether test restores run on their schedule (on by default, never in demo mode). */
  enabled: z.boolean(),
  /** Why they do not: `demo mode`, `turned off in the settings` or `not started`; null while enabled. */
  reason: z.string().nullable(),
  /** Days between test restores (7: weekly). */
  intervalDays: z.number().int().positive(),
  /** The last test restore, good or not; null when none ran. */
  last: TestRestoreOutcomeSchema.nullable(),
  /** The last one that passed: "restorable as of" its backupMadeAt (else its `at`); null when none did. */
  lastGood: TestRestoreOutcomeSchema.nullable(),
  /** When the next one starts; null while off or running. */
  nextRunAt: z.string().nullable(),
  /** True while a test restore is queued or running. */
  running: z.boolean(),
});
export type TestRestoreState = z.infer<typeof TestRestoreStateSchema>;

/** Returns the test restores' state. */
export type TestRestoreStateSource = () => TestRestoreState;

/** The state before anything runs test restores in this process. */
export function notStartedTestRestores(): TestRestoreState {
  return { enabled: false, reason: 'not started', intervalDays: 7, last: null, lastGood: null, nextRunAt: null, running: false };
}
