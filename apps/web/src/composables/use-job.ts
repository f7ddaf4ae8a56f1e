/**
 * Follows one server job (backup, verify, restore) through the `jobs.watch` subscription (SSE):
 * its snapshot after every change, a percentage when the phase knows its size, and a promise of
 * its final state. Lifecycle: idle → following (queued/running) → succeeded | failed | cancelled.
 * The subscription ends when the job does or when the component's scope is disposed.
 */
import { computed, getCurrentScope, onScopeDispose, ref, shallowRef } from 'vue';
import type { JobProgressReport, JobSnapshot } from '../api/server-types.ts';
import { trpc, type LockerClient } from '../api/trpc-client.ts';
import { errorMessage } from '../api/error-message.ts';
import { formatBytes } from '../i18n/format-bytes.ts';
import { i18n } from '../i18n/i18n.ts';

const texts = i18n.global;

type JobClient = Pick<LockerClient, 'jobs'>;

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** Percentage (0..100) of a progress report, or null when the total is unknown. */
export function jobPercent(progress: JobSnapshot['progress']): number | null {
  if (!progress || progress.bytesTotal === undefined || progress.bytesTotal <= 0) return null;
  return Math.max(0, Math.min(100, Math.floor((progress.bytesDone / progress.bytesTotal) * 100)));
}

/**
 * The step a job is at in the user's words, with its count when the step has one worth showing:
 * "Writing the signal history: 12,000 of 43,200 rows", "Compressing the backup: 3 MB / 9 MB".
 * Undefined before the job reports anything.
 */
export function jobStepText(job: Pick<JobSnapshot, 'state' | 'progress'>): string | undefined {
  if (job.state === 'queued') return texts.t('job.phase.queued');
  const { progress } = job;
  if (!progress) return undefined;
  const key = `job.phase.${progress.phase}`;
  // A step this app has no words for yet: say that it works rather than show an internal name.
  const step = texts.te(key, 'en') ? texts.t(key) : texts.t('job.phase.working');
  const count = progressCount(progress);
  return count === undefined ? step : texts.t('job.detail', { step, count });
}

function progressCount(progress: JobProgressReport): string | undefined {
  const { bytesDone: done, bytesTotal: total } = progress;
  const known = total !== undefined && total > 0;
  switch (progress.unit ?? 'bytes') {
    case 'steps':
      return undefined;
    case 'rows':
      // The count also picks the plural form, for a language whose catalog has them ("a | b").
      if (known) return texts.t('job.count.rows', { done: texts.n(done), total: texts.n(total) }, total);
      return done > 0 ? texts.t('job.count.rowsSoFar', { done: texts.n(done) }, done) : undefined;
    case 'bytes':
      if (known) return `${formatBytes(done)} / ${formatBytes(total)}`;
      return done > 0 ? formatBytes(done) : undefined;
  }
}

/** Watches jobs for the calling component; `client` is replaceable for tests. */
export function useJob(client: JobClient = trpc) {
  const job = shallowRef<JobSnapshot | null>(null);
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
  function follow(id: string): Promise<JobSnapshot> {
    stop();
    watchError.value = null;
    return new Promise<JobSnapshot>((resolve, reject) => {
      const subscription = client.jobs.watch.subscribe(
        { id },
        {
          onData(event) {
            const snapshot = event.data;
            job.value = snapshot;
            if (FINISHED.has(snapshot.state)) {
              stop();
              resolve(snapshot);
            }
          },
          onError(error) {
            watchError.value = errorMessage(error, texts.t('job.watchFailed'));
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
