/**
 * Waiting for a job (a backup, a verification, a restore) to end by reading `jobs.get` every
 * `pollMs`. Polling rather than the `jobs.watch` subscription: it needs no EventSource (Node 20
 * has none), and it fails at once when the server is gone, which the crash trials rely on after
 * they kill it.
 */
import type { JobSnapshot, LockerClient } from './create-client.ts';

/** Options of {@link waitForJob} and {@link waitForJobEnd}. */
export interface WaitForJobOptions {
  /** Time between two reads (ms); default 50. */
  pollMs?: number;
  /** Give up (throw) after this long (ms); default 10 minutes. */
  timeoutMs?: number;
}

/** A job that ended without succeeding; `job` is its last snapshot. */
export class JobFailedError extends Error {
  constructor(readonly job: JobSnapshot) {
    super(`the ${job.kind} job ${job.label} ${job.state}${job.error ? `: ${job.error.code}: ${job.error.message}` : ''}`);
    this.name = 'JobFailedError';
  }
}

const ENDED: readonly JobSnapshot['state'][] = ['succeeded', 'failed', 'cancelled'];

/** Resolves with the job's last snapshot once it has ended, however it ended. */
export async function waitForJobEnd(client: LockerClient, id: string, options: WaitForJobOptions = {}): Promise<JobSnapshot> {
  const pollMs = options.pollMs ?? 50;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.jobs.get.query({ id });
    if (ENDED.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} (${job.kind}) did not end within ${timeoutMs} ms; it is ${job.state}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Resolves with the job's last snapshot once it has succeeded; rejects with JobFailedError when it failed or was cancelled. */
export async function waitForJob(client: LockerClient, id: string, options: WaitForJobOptions = {}): Promise<JobSnapshot> {
  const job = await waitForJobEnd(client, id, options);
  if (job.state !== 'succeeded') throw new JobFailedError(job);
  return job;
}
