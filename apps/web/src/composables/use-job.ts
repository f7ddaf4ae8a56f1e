/**
 * Follows one server job (backup, verify, restore) through the `jobs.watch` subscription (SSE):
 * its snapshot after every change, a percentage when the phase knows its size, whether the
 * connection to the server is lost (the link retries meanwhile), Cancel, and a promise of what
 * became of the job (job-outcome.ts). Lifecycle: idle → following (queued/running; connection
 * lost ⇄ back) → succeeded | failed | cancelled | interrupted (the server stopped or restarted
 * during the job) | unfollowed. The subscription ends when the job does or when the component's
 * scope is disposed.
 */
import { computed, getCurrentScope, onScopeDispose, ref, shallowRef } from 'vue';
import type { JobKind, JobProgressReport, JobSnapshot } from '../api/server-types.ts';
import { trpc, type LockerClient } from '../api/trpc-client.ts';
import { errorMessage } from '../api/error-message.ts';
import { formatBytes } from '../i18n/format-bytes.ts';
import { i18n } from '../i18n/i18n.ts';
import { jobOutcome, type JobOutcome } from './job-outcome.ts';

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
  /** True from follow() until the job's outcome is known. */
  const running = ref(false);
  /** True while the progress stream is cut and the browser tries to reach the server again. */
  const connectionLost = ref(false);
  /** True from a press of Cancel until the job ends (or the cancel was refused). */
  const cancelling = ref(false);
  /** Why a cancel was refused or could not be sent, in the user's language. */
  const cancelError = ref<string | null>(null);
  /** Kept for the pages that show a transport failure themselves (the outcome says it too). */
  const watchError = ref<string | null>(null);
  let stopWatching: (() => void) | null = null;

  const percent = computed(() => jobPercent(job.value?.progress ?? null));
  /** Whether to offer Cancel now: the job runs, the server says it may stop, and no cancel is on its way. */
  const canCancel = computed(() => running.value && job.value?.cancellable === true && !cancelling.value && !connectionLost.value);

  function stop(): void {
    stopWatching?.();
    stopWatching = null;
  }

  /**
   * Follows job `id` of `kind` and resolves with what became of it (job-outcome.ts): never
   * rejects. While the connection is lost it says so (`connectionLost`) and the link retries;
   * a server that comes back without the job (it restarted) ends it as `interrupted`.
   */
  function follow(id: string, kind: JobKind): Promise<JobOutcome> {
    stop();
    watchError.value = null;
    cancelError.value = null;
    cancelling.value = false;
    connectionLost.value = false;
    running.value = true;
    return new Promise<JobOutcome>((resolve) => {
      const end = (outcome: JobOutcome): void => {
        stop();
        running.value = false;
        connectionLost.value = false;
        cancelling.value = false;
        resolve(outcome);
      };
      const subscription = client.jobs.watch.subscribe(
        { id },
        {
          onData(event) {
            const snapshot = event.data;
            connectionLost.value = false;
            job.value = snapshot;
            if (FINISHED.has(snapshot.state)) end(jobOutcome(kind, { snapshot }));
          },
          onConnectionStateChange(state) {
            // `connecting` with an error: the stream broke and the link is reconnecting;
            // `pending`: connected again (the first event then brings the job's state).
            if (state.state === 'connecting' && state.error !== null) connectionLost.value = true;
            else if (state.state === 'pending') connectionLost.value = false;
          },
          onError(error) {
            const outcome = jobOutcome(kind, { error });
            if (outcome.status === 'unfollowed') watchError.value = errorMessage(error, texts.t('job.watchFailed'));
            if (outcome.status === 'interrupted' && kind === 'restore') {
              // What the instance holds now depends on how far the restore got (jobs.startup).
              stop();
              void client.jobs.startup
                .query()
                .then(
                  ({ interruptedRestoreFinished }) => ({ ...outcome, restoreFinished: interruptedRestoreFinished }),
                  () => outcome,
                )
                .then(end);
              return;
            }
            end(outcome);
          },
        },
      );
      stopWatching = () => subscription.unsubscribe();
    });
  }

  /** Asks the server to stop the followed job; its end comes through the stream (`cancelled`). */
  async function cancel(): Promise<void> {
    const current = job.value;
    if (!current || !running.value) return;
    cancelling.value = true;
    cancelError.value = null;
    try {
      await client.jobs.cancel.mutate({ id: current.id });
    } catch (error) {
      cancelling.value = false;
      cancelError.value = errorMessage(error, texts.t('common.networkError'));
    }
  }

  function reset(): void {
    stop();
    job.value = null;
    running.value = false;
    connectionLost.value = false;
    cancelling.value = false;
    cancelError.value = null;
    watchError.value = null;
  }

  if (getCurrentScope()) onScopeDispose(stop);

  return { job, running, percent, connectionLost, canCancel, cancelling, cancelError, watchError, follow, cancel, reset };
}
