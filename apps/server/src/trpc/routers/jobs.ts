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

  /**
   * What the server's start did to work a stop interrupted, for a page whose job is no longer known
   * (JOB_NOT_FOUND after a restart): whether it finished an interrupted restore (the instance then
   * holds the restored backup; otherwise an interrupted restore changed nothing).
   */
  startup: protectedProcedure
    .output(z.object({ interruptedRestoreFinished: z.boolean() }))
    .query(({ ctx }) => ({ interruptedRestoreFinished: ctx.instance.interruptedRestoreFinished })),

  /**
   * Cancels a queued job, or asks a running one to stop; the answer is the job's snapshot (its
   * end comes through `watch`). A finished job is answered as it is. A running job past its point
   * of no return (a restore putting its files in place) is refused with JOB_NOT_CANCELLABLE.
   */
  cancel: protectedProcedure
    .input(JobIdSchema)
    .output(JobSnapshotSchema)
    .mutation(({ ctx, input }) => {
      const job = ctx.jobs.cancel(input.id);
      if (!job) throw notFound(input.id);
      if (job.state === 'running' && job.cancellable === false && !ctx.jobs.cancelRequested(input.id)) {
        throw refusal(
          'CONFLICT',
          'JOB_NOT_CANCELLABLE',
          `${job.label} can no longer be cancelled: it is putting files in place, and stopping now would leave the data half changed. It finishes in a moment.`,
          { id: input.id },
        );
      }
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
