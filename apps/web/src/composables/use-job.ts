/**
 * Follows one server job (backup, verify, restore) through the `jobs.watch` subscription (SSE):
 * its snapshot after every change, a percentage when the phase knows its size, and a promise of
 * its final state. Lifecycle: idle → following (queued/running) → succeeded | failed | cancelled.
 * The subscription ends when the job does or when the component's scope is disposed.
 */
import { computed, getCurrentScope, onScopeDispose, ref, shallowRef } from 'vue';
import { trpc, type LockerClient } from '../api/trpc-client.ts';
import { errorMessage } from '../api/error-message.ts';

type JobClient = Pick<LockerClient, 'jobs'>;

/** A job as the server reports it. */
export interface JobView {
  id: string;
  kind: string;
  label: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: { phase: string; bytesDone: number; bytesTotal?: number | undefined } | null;
  result?: unknown;
  error: { code: string; message: string } | null;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** Percentage (0..100) of a progress report, or null when the total is unknown. */
export function jobPercent(progress: JobView['progress']): number | null {
  if (!progress || progress.bytesTotal === undefined || progress.bytesTotal <= 0) return null;
  return Math.max(0, Math.min(100, Math.floor((progress.bytesDone / progress.bytesTotal) * 100)));
}

/** Watches jobs for the calling component; `client` is replaceable for tests. */
export function useJob(client: JobClient = trpc) {
  const job = shallowRef<JobView | null>(null);
  /** A transport failure (the job itself may still be running). */
  const watchError = ref<string | null>(null);
  let stopWatching: (() => void) | null = null;

  const running = computed(() => job.value !== null && !FINISHED.has(job.value.state));
  const percent = computed(() => jobPercent(job.value?.progress ?? null));

  function stop(): void {
    stopWatching?.();
    stopWatching = null;
  }

  /** Follows job `id` and resolves with its final snapshot (rejects when the watch fails). */
  function follow(id: string): Promise<JobView> {
    stop();
    watchError.value = null;
    return new Promise<JobView>((resolve, reject) => {
      const subscription = client.jobs.watch.subscribe(
        { id },
        {
          onData(event) {
            const snapshot = event.data as JobView;
            job.value = snapshot;
            if (FINISHED.has(snapshot.state)) {
              stop();
              resolve(snapshot);
            }
          },
          onError(error) {
            watchError.value = errorMessage(error, 'The job could not be followed.');
            stop();
            reject(error);
          },
        },
      );
      stopWatching = () => subscription.unsubscribe();
    });
  }

  function reset(): void {
    stop();
    job.value = null;
    watchError.value = null;
  }

  if (getCurrentScope()) onScopeDispose(stop);

  return { job, running, percent, watchError, follow, reset };
}
