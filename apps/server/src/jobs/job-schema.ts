/**
 * The shape of a job as clients see it (the web app's progress bars, the CLI, tests). Long work
 * (create, verify, restore, demo seeding) runs as a job with an id; its progress and its end come
 * through `jobs.watch` (a tRPC subscription over SSE).
 */
import { z } from 'zod';

export const JOB_KINDS = ['backup', 'verify', 'restore', 'demo-seed'] as const;
export const JobKindSchema = z.enum(JOB_KINDS);
export type JobKind = z.infer<typeof JobKindSchema>;

/** queued → running → succeeded | failed | cancelled. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const JobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobStateSchema>;

export const JobProgressSchema = z.object({
  /** What the job is doing now, e.g. `snapshot`, `compress`, `read`, `verify`, `publish`. */
  phase: z.string(),
  bytesDone: z.number().nonnegative(),
  /** Expected bytes of this phase, when known. */
  bytesTotal: z.number().nonnegative().optional(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const JobErrorSchema = z.object({
  /** The engine's error code (`DATABASE_CORRUPT`, `DISK_FULL`, …) or `INTERNAL`. */
  code: z.string(),
  message: z.string(),
});
export type JobError = z.infer<typeof JobErrorSchema>;

export const JobSnapshotSchema = z.object({
  id: z.string(),
  kind: JobKindSchema,
  /** A short human description, e.g. the backup's file name. */
  label: z.string(),
  state: JobStateSchema,
  progress: JobProgressSchema.nullable(),
  /** The job's result once it succeeded (its shape depends on the kind). */
  result: z.unknown().optional(),
  error: JobErrorSchema.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type JobSnapshot = z.infer<typeof JobSnapshotSchema>;

export function isFinished(state: JobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}
