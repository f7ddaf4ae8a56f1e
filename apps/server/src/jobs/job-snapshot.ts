/**
 * The shape of a job as clients see it (the web app's progress bars, the CLI, tests). Long work
 * (create, verify, restore, demo seeding) runs as a job with an id; its progress and its end come
 * through `jobs.watch` (a tRPC subscription over SSE).
 *
 * The snapshot is a union on `kind`: a client that checked `kind` (and `state === 'succeeded'`)
 * reads that kind's `result` with its type, without casting.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../codes.ts';
import { BackupJobResultSchema } from '../backups/backup-job.ts';
import { VerifyJobResultSchema } from '../backups/verify-job.ts';
import { DemoSeedResultSchema } from '../demo/seed-demo-data.ts';
import { RestoreJobResultSchema } from '../restore/restore-job-result.ts';
import { PushJobResultSchema } from '../targets/push-job.ts';
import { TestRestoreJobResultSchema } from '../proof/test-restore-job.ts';
import { JobProgressSchema, JobStateSchema, type JobKind } from './job-schema.ts';

export const JobErrorSchema = z.object({
  /** The code every other answer uses too: the engine's (`DATABASE_CORRUPT`, `DISK_FULL`, …) or the server's (`INTERNAL`). */
  code: z.enum(ERROR_CODES),
  message: z.string(),
  /** The facts a translation of the code may name (file names, sizes). */
  details: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type JobError = z.infer<typeof JobErrorSchema>;

const JobFieldsSchema = z.object({
  id: z.string(),
  /** A short human description, e.g. the backup's file name. */
  label: z.string(),
  state: JobStateSchema,
  progress: JobProgressSchema.nullable(),
  /**
   * Whether `jobs.cancel` may stop the job now: true while it is queued or running, until it
   * passes a point where stopping would do harm (a restore putting its files in place) or a
   * cancel was asked for already; false once it ended.
   */
  cancellable: z.boolean(),
  error: JobErrorSchema.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

/** Each kind's result, present once the job succeeded. */
const JOB_RESULT_SCHEMAS = {
  backup: BackupJobResultSchema,
  verify: VerifyJobResultSchema,
  restore: RestoreJobResultSchema,
  'demo-seed': DemoSeedResultSchema,
  push: PushJobResultSchema,
  'test-restore': TestRestoreJobResultSchema,
} as const satisfies Record<JobKind, z.ZodType>;

/** What a job of kind `K` returns when it succeeds. */
export type JobResult<K extends JobKind> = z.infer<(typeof JOB_RESULT_SCHEMAS)[K]>;

export const JobSnapshotSchema = z.discriminatedUnion('kind', [
  JobFieldsSchema.extend({ kind: z.literal('backup'), result: JOB_RESULT_SCHEMAS.backup.optional() }),
  JobFieldsSchema.extend({ kind: z.literal('verify'), result: JOB_RESULT_SCHEMAS.verify.optional() }),
  JobFieldsSchema.extend({ kind: z.literal('restore'), result: JOB_RESULT_SCHEMAS.restore.optional() }),
  JobFieldsSchema.extend({ kind: z.literal('demo-seed'), result: JOB_RESULT_SCHEMAS['demo-seed'].optional() }),
  JobFieldsSchema.extend({ kind: z.literal('push'), result: JOB_RESULT_SCHEMAS.push.optional() }),
  JobFieldsSchema.extend({ kind: z.literal('test-restore'), result: JOB_RESULT_SCHEMAS['test-restore'].optional() }),
]);
export type JobSnapshot = z.infer<typeof JobSnapshotSchema>;
/** The snapshot of a job of kind `K`. */
export type JobSnapshotOf<K extends JobKind> = Extract<JobSnapshot, { kind: K }>;
