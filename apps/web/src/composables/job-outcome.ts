/**
 * What became of a job the page followed, decided from how its progress stream ended, and said in
 * the user's words. Pure: use-job.ts feeds it the stream's end, the pages show `outcomeMessage`.
 *
 * - `succeeded`, `failed` (the job's own error), `cancelled` (someone pressed Cancel): the job's
 *   final snapshot says so;
 * - `interrupted`: the server stopped during the job. Either its final snapshot says
 *   SERVER_SHUTDOWN (a clean stop cancelled it), or the server came back without knowing the job
 *   (JOB_NOT_FOUND: it restarted; jobs live in its memory). Either way an interrupted backup's or
 *   verification's work files are removed, so nothing half-made is left; a restore either changed
 *   nothing or was finished by the server's start (`restoreFinished`, from jobs.startup);
 * - `unfollowed`: the stream failed for another reason (a login is needed now, …): the job's fate is
 *   unknown and the error says why.
 */
import type { JobKind, JobSnapshot } from '../api/server-types.ts';
import { errorMessage, serverFailure } from '../api/error-message.ts';
import { i18n } from '../i18n/i18n.ts';

export type JobOutcome =
  | { status: 'succeeded'; snapshot: JobSnapshot }
  | { status: 'failed'; snapshot: JobSnapshot }
  | { status: 'cancelled'; kind: JobKind }
  | { status: 'interrupted'; kind: JobKind; restoreFinished?: boolean }
  | { status: 'unfollowed'; kind: JobKind; error: unknown };

/** How a progress stream ended: with the job's final snapshot, or with an error. */
export type StreamEnd = { snapshot: JobSnapshot } | { error: unknown };

/** True when `error` says the server does not know the job (it restarted since). */
export function isJobGone(error: unknown): boolean {
  return serverFailure(error)?.code === 'JOB_NOT_FOUND';
}

/** What became of a job of `kind` whose stream ended with `end` (see the file comment). */
export function jobOutcome(kind: JobKind, end: StreamEnd): JobOutcome {
  if ('error' in end) return isJobGone(end.error) ? { status: 'interrupted', kind } : { status: 'unfollowed', kind, error: end.error };
  const { snapshot } = end;
  switch (snapshot.state) {
    case 'succeeded':
      return { status: 'succeeded', snapshot };
    case 'cancelled':
      // A clean stop cancels the running job before anything is published: a restore changed nothing.
      if (snapshot.error?.code === 'SERVER_SHUTDOWN') return { status: 'interrupted', kind, restoreFinished: false };
      return { status: 'cancelled', kind };
    default:
      return { status: 'failed', snapshot };
  }
}

const texts = i18n.global;

/** What the page says about `outcome`; null for success (each page names its own result). */
export function outcomeMessage(outcome: JobOutcome): string | null {
  switch (outcome.status) {
    case 'succeeded':
      return null;
    case 'failed':
      return errorMessage(outcome.snapshot.error, texts.t('job.watchFailed'));
    case 'cancelled':
      return texts.t(`job.outcome.cancelled.${outcome.kind}`);
    case 'interrupted':
      if (outcome.kind !== 'restore') return texts.t(`job.outcome.interrupted.${outcome.kind}`);
      if (outcome.restoreFinished === true) return texts.t('job.outcome.interrupted.restoreFinished');
      if (outcome.restoreFinished === false) return texts.t('job.outcome.interrupted.restoreUnchanged');
      return texts.t('job.outcome.interrupted.restore');
    case 'unfollowed':
      return errorMessage(outcome.error, texts.t('job.watchFailed'));
  }
}
