/**
 * Jobs: read one, list them, cancel one, and `watch` one as a subscription over SSE (tracked
 * events, so a client that reconnects gets the current state at once).
 */
import { tracked, type TRPCError } from '@trpc/server';
import { z } from 'zod';
import { refusal } from '../../errors/server-refusal.ts';
import { JobSnapshotSchema } from '../../jobs/job-snapshot.ts';
import { protectedProcedure, router } from '../init.ts';

const JobIdSchema = z.object({ id: z.string().uuid() });

function notFound(id: string): TRPCError {
  return refusal('NOT_FOUND', 'JOB_NOT_FOUND', `No such job: ${id}. Jobs are kept until the server restarts.`, { id });
}

export const jobsRouter = router({
  get: protectedProcedure
    .input(JobIdSchema)
    .output(JobSnapshotSchema)
    .query(({ ctx, input }) => {
      const job = ctx.jobs.get(input.id);
      if (!job) throw notFound(input.id);
      return job;
    }),

  list: protectedProcedure.output(JobSnapshotSchema.array()).query(({ ctx }) => ctx.jobs.list()),

  cancel: protectedProcedure
    .input(JobIdSchema)
    .output(JobSnapshotSchema)
    .mutation(({ ctx, input }) => {
      const job = ctx.jobs.cancel(input.id);
      if (!job) throw notFound(input.id);
      return job;
    }),

  /**
   * The job's snapshot now and after every change, ending with its final state. Authorised once,
   * when the subscription starts: a restore that brings in an admin password still reports its end
   * to the wizard that started it. Job ids are random UUIDs.
   */
  watch: protectedProcedure.input(JobIdSchema).subscription(async function* ({ ctx, input, signal }) {
    if (!ctx.jobs.get(input.id)) throw notFound(input.id);
    let sequence = 0;
    for await (const snapshot of ctx.jobs.watch(input.id, signal)) {
      sequence += 1;
      yield tracked(`${input.id}:${sequence}`, snapshot);
    }
  }),
});
