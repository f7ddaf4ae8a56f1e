import { afterEach, describe, expect, it } from 'vitest';
import { effectScope } from 'vue';
import { JOB_PHASES } from '@evidence-locker/server/codes';
import { setLocale } from '../i18n/i18n.ts';
import type { JobProgressReport, JobSnapshot } from '../api/server-types.ts';
import { outcomeMessage } from './job-outcome.ts';
import { jobPercent, jobStepText, useJob } from './use-job.ts';

afterEach(() => setLocale('en'));

/** A jobs client whose watch subscription the test drives by hand. */
function fakeClient(startup = { interruptedRestoreFinished: false }) {
  const state = {
    handlers: null as Handlers | null,
    unsubscribed: 0,
    input: null as unknown,
    cancelled: [] as string[],
    cancelAnswer: Promise.resolve() as Promise<unknown>,
  };
  const client = {
    jobs: {
      watch: {
        subscribe(input: unknown, handlers: Handlers) {
          state.input = input;
          state.handlers = handlers;
          return { unsubscribe: () => (state.unsubscribed += 1) };
        },
      },
      cancel: {
        mutate({ id }: { id: string }) {
          state.cancelled.push(id);
          return state.cancelAnswer;
        },
      },
      startup: { query: () => Promise.resolve(startup) },
    },
  };
  return { client: client as never, state };
}

/** A running backup job's snapshot with `overrides` (of any kind: TypeScript cannot check a spread over the union). */
const snapshot = (overrides: Partial<JobSnapshot>): JobSnapshot =>
  ({
    id: 'job-1',
    kind: 'backup',
    label: 'backup',
    state: 'running',
    progress: null,
    cancellable: false,
    error: null,
    createdAt: '2026-11-26T08:00:00.000Z',
    startedAt: '2026-11-26T08:00:00.000Z',
    finishedAt: null,
    ...overrides,
  }) as JobSnapshot;

describe('jobPercent', () => {
  it('is null while the total is unknown and clamps to 0..100', () => {
    expect(jobPercent(null)).toBeNull();
    expect(jobPercent({ phase: 'compress', bytesDone: 10 })).toBeNull();
    expect(jobPercent({ phase: 'compress', bytesDone: 50, bytesTotal: 200 })).toBe(25);
    expect(jobPercent({ phase: 'compress', bytesDone: 300, bytesTotal: 200 })).toBe(100);
  });
});

describe('jobStepText', () => {
  it("names the demo's steps in words and counts rows, never bytes or the server's phase names", () => {
    const seeding = (progress: JobSnapshot['progress']) => jobStepText(snapshot({ kind: 'demo-seed', progress }));
    expect(seeding({ phase: 'snapshots', bytesDone: 12_000, bytesTotal: 43_200, unit: 'rows' })).toBe(
      'Writing the signal history: 12,000 of 43,200 rows',
    );
    expect(seeding({ phase: 'history-tables', bytesDone: 1, bytesTotal: 2, unit: 'steps' })).toBe(
      'Writing events, speed tests and journal',
    );
    expect(seeding({ phase: 'checkpoint', bytesDone: 0, bytesTotal: 1, unit: 'steps' })).toBe('Saving the demo data');
    setLocale('de');
    expect(seeding({ phase: 'connection-samples', bytesDone: 5_000, bytesTotal: 51_840, unit: 'rows' })).toBe(
      'Messwerte des Verbindungsmonitors werden geschrieben: 5.000 von 51.840 Zeilen',
    );
    expect(seeding({ phase: 'checkpoint', bytesDone: 1, bytesTotal: 1, unit: 'steps' })).toBe('Demodaten werden gespeichert');
  });

  it('counts bytes where a step moves bytes, and shows no count where there is none', () => {
    expect(jobStepText(snapshot({ progress: { phase: 'compress', bytesDone: 3 * 1024 ** 2, bytesTotal: 9 * 1024 ** 2 } }))).toBe(
      'Compressing the backup: 3.0 MB / 9.0 MB',
    );
    expect(jobStepText(snapshot({ progress: { phase: 'waiting', bytesDone: 0, bytesTotal: 0 } }))).toBe(
      'Waiting for another backup to finish',
    );
    expect(jobStepText(snapshot({ state: 'queued' }))).toBe('Waiting…');
    expect(jobStepText(snapshot({ progress: null }))).toBeUndefined();
  });

  it('never shows a phase name: every step the server names has words, an unknown one reads as work in progress', () => {
    for (const phase of JOB_PHASES) {
      const text = jobStepText(snapshot({ progress: { phase, bytesDone: 0 } })) ?? '';
      expect(text, phase).not.toContain(phase);
      expect(text, phase).not.toBe('Working…');
    }
    // A step a newer server might name.
    const newPhase = 'some-new-phase' as JobProgressReport['phase'];
    expect(jobStepText(snapshot({ progress: { phase: newPhase, bytesDone: 0 } }))).toBe('Working…');
  });
});

type Handlers = {
  onData: (event: { id: string; data: JobSnapshot }) => void;
  onError: (error: unknown) => void;
  onConnectionStateChange: (state: { type: 'state'; state: 'idle' | 'connecting' | 'pending'; error: unknown }) => void;
};

/** A tRPC client error as the SSE link delivers a refusal: `data.lockerCode` names the server's code. */
const refused = (lockerCode: string, message: string) => Object.assign(new Error(message), { data: { code: 'NOT_FOUND', lockerCode } });

describe('useJob', () => {
  it('shows each snapshot and resolves with the final one, then stops watching', async () => {
    const { client, state } = fakeClient();
    const job = useJob(client);
    const done = job.follow('job-1', 'backup');
    expect(state.input).toEqual({ id: 'job-1' });
    expect(job.running.value).toBe(true);
    state.handlers!.onData({ id: '1', data: snapshot({ progress: { phase: 'compress', bytesDone: 1, bytesTotal: 4 } }) });
    expect(job.running.value).toBe(true);
    expect(job.percent.value).toBe(25);
    state.handlers!.onData({
      id: '2',
      data: snapshot({ state: 'failed', error: { code: 'DISK_FULL', message: 'The disk is full.', details: {} } }),
    });
    await expect(done).resolves.toMatchObject({ status: 'failed', snapshot: { error: { message: 'The disk is full.' } } });
    expect(job.running.value).toBe(false);
    expect(state.unsubscribed).toBe(1);
  });

  it('says the connection is lost while the link retries, and goes on when the server answers with the job', async () => {
    const { client, state } = fakeClient();
    const job = useJob(client);
    const done = job.follow('job-1', 'backup');
    state.handlers!.onConnectionStateChange({ type: 'state', state: 'connecting', error: null });
    expect(job.connectionLost.value).toBe(false);
    state.handlers!.onData({
      id: '1',
      data: snapshot({ cancellable: true, progress: { phase: 'compress', bytesDone: 1, bytesTotal: 4 } }),
    });
    expect(job.canCancel.value).toBe(true);
    state.handlers!.onConnectionStateChange({ type: 'state', state: 'connecting', error: new Error('stream cut') });
    expect(job.connectionLost.value).toBe(true);
    expect(job.canCancel.value).toBe(false);
    expect(job.running.value).toBe(true);
    state.handlers!.onConnectionStateChange({ type: 'state', state: 'pending', error: null });
    expect(job.connectionLost.value).toBe(false);
    state.handlers!.onData({ id: '2', data: snapshot({ state: 'succeeded', result: { fileName: 'b.tar.gz' } } as never) });
    await expect(done).resolves.toMatchObject({ status: 'succeeded' });
    expect(state.unsubscribed).toBe(1);
  });

  it('ends a backup the restarted server no longer knows as interrupted, and is ready for the next one', async () => {
    const { client, state } = fakeClient();
    const job = useJob(client);
    const done = job.follow('job-1', 'backup');
    state.handlers!.onData({ id: '1', data: snapshot({ progress: { phase: 'compress', bytesDone: 0 } }) });
    state.handlers!.onConnectionStateChange({ type: 'state', state: 'connecting', error: new Error('stream cut') });
    state.handlers!.onError(refused('JOB_NOT_FOUND', 'No such job: job-1. Jobs are kept until the server restarts.'));
    const outcome = await done;
    expect(outcome).toEqual({ status: 'interrupted', kind: 'backup' });
    expect(outcomeMessage(outcome)).toBe('The backup was interrupted; nothing was saved.');
    expect(job.running.value).toBe(false);
    expect(job.connectionLost.value).toBe(false);
  });

  it('asks the server what became of an interrupted restore', async () => {
    const { client, state } = fakeClient({ interruptedRestoreFinished: true });
    const job = useJob(client);
    const done = job.follow('job-1', 'restore');
    state.handlers!.onError(refused('JOB_NOT_FOUND', 'No such job'));
    const outcome = await done;
    expect(outcome).toEqual({ status: 'interrupted', kind: 'restore', restoreFinished: true });
    expect(outcomeMessage(outcome)).toContain('the server finished it when it started again');
  });

  it('cancels the followed job, and says why when the server refuses', async () => {
    const { client, state } = fakeClient();
    const job = useJob(client);
    const done = job.follow('job-1', 'restore');
    state.handlers!.onData({
      id: '1',
      data: snapshot({ kind: 'restore', cancellable: true, progress: { phase: 'verify', bytesDone: 1 } }),
    });
    state.cancelAnswer = Promise.reject(
      Object.assign(new Error('Restore can no longer be cancelled'), { data: { code: 'CONFLICT', lockerCode: 'JOB_NOT_CANCELLABLE' } }),
    );
    await job.cancel();
    expect(state.cancelled).toEqual(['job-1']);
    expect(job.cancelling.value).toBe(false);
    expect(job.cancelError.value).toMatch(/^It can no longer be cancelled/);
    state.cancelAnswer = Promise.resolve();
    await job.cancel();
    expect(job.cancelling.value).toBe(true);
    expect(job.canCancel.value).toBe(false);
    state.handlers!.onData({
      id: '2',
      data: snapshot({ kind: 'restore', state: 'cancelled', error: { code: 'CANCELLED', message: 'x', details: {} } }),
    });
    const outcome = await done;
    expect(outcome).toEqual({ status: 'cancelled', kind: 'restore' });
    expect(job.cancelling.value).toBe(false);
  });

  it('reports a stream that fails for another reason, without pretending to know the outcome', async () => {
    const { client, state } = fakeClient();
    const job = useJob(client);
    const done = job.follow('job-1', 'verify');
    state.handlers!.onError(new Error('Something else went wrong.'));
    await expect(done).resolves.toMatchObject({ status: 'unfollowed', kind: 'verify' });
    expect(job.watchError.value).toBe('Something else went wrong.');
  });

  it('stops watching when the component goes away', () => {
    const { client, state } = fakeClient();
    const scope = effectScope();
    scope.run(() => void useJob(client).follow('job-1', 'backup'));
    scope.stop();
    expect(state.unsubscribed).toBe(1);
  });
});
