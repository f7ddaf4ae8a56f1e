/**
 * The parts of a job's shape that loads nothing else: its kinds, states and progress steps (the
 * `codes` export lists the steps without loading the engine). The whole snapshot, with a result
 * schema per kind, is in job-snapshot.ts.
 */
import { z } from 'zod';

export const JOB_KINDS = ['backup', 'verify', 'restore', 'demo-seed', 'push', 'test-restore'] as const;
export const JobKindSchema = z.enum(JOB_KINDS);
export type JobKind = z.infer<typeof JobKindSchema>;

/** queued → running → succeeded | failed | cancelled. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const JobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobStateSchema>;

/**
 * Every step a job's progress can name, a closed list so that a client can say each in its user's
 * words (the web app's catalogs have a text for each): a backup's `waiting` (for another backup),
 * `snapshot`, `compress`, `write`, `prune`; a restore's or a verification's `read`, `verify`,
 * `publish`; demo seeding's `snapshots`, `history-tables`, `connection-samples`, `checkpoint`; a
 * push to an offsite target's `upload`, then `prune` (the target's retention).
 * The engine's phase types must fit in it, or reporting them does not compile.
 */
export const JOB_PHASES = [
  'waiting',
  'snapshot',
  'compress',
  'write',
  'prune',
  'read',
  'verify',
  'publish',
  'snapshots',
  'history-tables',
  'connection-samples',
  'checkpoint',
  'upload',
] as const;
export const JobPhaseSchema = z.enum(JOB_PHASES);
export type JobPhase = z.infer<typeof JobPhaseSchema>;

/** What a progress counts: bytes, rows written, or steps (a count not worth showing). */
export const JOB_PROGRESS_UNITS = ['bytes', 'rows', 'steps'] as const;

export const JobProgressSchema = z.object({
  /** What the job is doing now. */
  phase: JobPhaseSchema,
  /** Done so far in `unit` (the name is older than the unit: rows are counted here too). */
  bytesDone: z.number().nonnegative(),
  /** Expected total of this phase in `unit`, when known. */
  bytesTotal: z.number().nonnegative().optional(),
  /** What `bytesDone` and `bytesTotal` count; bytes when absent. */
  unit: z.enum(JOB_PROGRESS_UNITS).optional(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export function isFinished(state: JobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}
