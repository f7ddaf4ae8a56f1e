/**
 * Runs a restore as a server job and follows it to its end: from an upload (the wizard) or from a
 * stored backup (the settings list). States: idle → running (job progress) → done (the outcome)
 * | failed (the server's verdict in the user's language: the archive's problem, BUSY, a refusal; or
 * what became of a restore that was cancelled or that a server stop interrupted: job-outcome.ts).
 */
import { computed, ref, shallowRef } from 'vue';
import { errorMessage, serverFailure, type ServerFailure } from '../api/error-message.ts';
import type { RestoreOutcome, RestoreSource } from '../api/server-types.ts';
import { trpc, type LockerClient } from '../api/trpc-client.ts';
import { useJob } from './use-job.ts';
import { outcomeMessage, type JobOutcome } from './job-outcome.ts';

/** Restore state for one component; `client` is replaceable for tests. */
export function useRestore(client: Pick<LockerClient, 'restore' | 'jobs'> = trpc) {
  const follower = useJob(client);
  const { job, percent, follow, reset: resetJob } = follower;
  const status = ref<'idle' | 'running' | 'done' | 'failed'>('idle');
  /** Why the restore failed (a refusal, or the job's error) and what to say when nothing says more. */
  const failure = shallowRef<{ cause: unknown; fallback: string } | { outcome: JobOutcome } | null>(null);
  /** The failure in the user's language (follows a language switch), or null. */
  const error = computed(() => {
    const failed = failure.value;
    if (failed === null) return null;
    return 'outcome' in failed ? outcomeMessage(failed.outcome) : errorMessage(failed.cause, failed.fallback);
  });
  /** The server's code and facts of the refusal or the job's error (e.g. SEAL_KEY_REQUIRED), or null. */
  const refusal = computed<ServerFailure | null>(() => {
    const failed = failure.value;
    if (failed === null || 'outcome' in failed) return null;
    return serverFailure(failed.cause) ?? null;
  });
  const outcome = shallowRef<RestoreOutcome | null>(null);

  /** Starts the restore and resolves with its outcome, or null when it failed. */
  async function run(source: RestoreSource, fallbackMessage: string): Promise<RestoreOutcome | null> {
    status.value = 'running';
    failure.value = null;
    outcome.value = null;
    try {
      const started = await client.restore.start.mutate(source);
      const ended = await follow(started.id, 'restore');
      if (ended.status !== 'succeeded') {
        status.value = 'failed';
        failure.value = ended.status === 'failed' ? { cause: ended.snapshot.error, fallback: fallbackMessage } : { outcome: ended };
        return null;
      }
      // restore.start starts a restore job: once it succeeded, its result is the restore's.
      const final = ended.snapshot;
      if (final.kind !== 'restore' || final.result === undefined) {
        status.value = 'failed';
        failure.value = { cause: final.error, fallback: fallbackMessage };
        return null;
      }
      outcome.value = final.result;
      status.value = 'done';
      return outcome.value;
    } catch (caught) {
      status.value = 'failed';
      failure.value = { cause: caught, fallback: fallbackMessage };
      return null;
    }
  }

  function reset(): void {
    resetJob();
    status.value = 'idle';
    failure.value = null;
    outcome.value = null;
  }

  return { job, percent, follower, status, error, refusal, outcome, run, reset };
}
