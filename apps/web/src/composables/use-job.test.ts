import { afterEach, describe, expect, it } from 'vitest';
import { effectScope } from 'vue';
import { JOB_PHASES } from '@evidence-locker/server/codes';
import { setLocale } from '../i18n/i18n.ts';
import type { JobProgressReport, JobSnapshot } from '../api/server-types.ts';
import { jobPercent, jobStepText, useJob } from './use-job.ts';

afterEach(() => setLocale('en'));

type Handlers = { onData: (event: { id: string; data: JobSnapshot }) => void; onError: (error: unknown) => void };

/** A jobs client whose watch subscription the test drives by hand. */
function fakeClient() {
  const state = { handlers: null as Handlers | null, unsubscribed: 0, input: null as unknown };
  const client = {
    jobs: {
      watch: {
        subscribe(input: unknown, handlers: Handlers) {
          state.input = input;
          state.handlers = handlers;
          return { unsubscribe: () => (state.unsubscribed += 1) };
        },
      },
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

describe('useJob', () => {
  it('shows each snapshot and resolves with the final one, then stops watching', async () => {
    const { client, state } = fakeClient();
    const job = useJob(client);
    const done = job.follow('job-1');
    expect(state.input).toEqual({ id: 'job-1' });
    state.handlers!.onData({ id: '1', data: snapshot({ progress: { phase: 'compress', bytesDone: 1, bytesTotal: 4 } }) });
    expect(job.running.value).toBe(true);
    expect(job.percent.value).toBe(25);
    state.handlers!.onData({
      id: '2',
      data: snapshot({ state: 'failed', error: { code: 'DISK_FULL', message: 'The disk is full.', details: {} } }),
    });
    await expect(done).resolves.toMatchObject({ state: 'failed', error: { message: 'The disk is full.' } });
    expect(job.running.value).toBe(false);
    expect(state.unsubscribed).toBe(1);
  });

  it('rejects and reports when the subscription fails', async () => {
    const { client, state } = fakeClient();
    const job = useJob(client);
    const done = job.follow('job-1');
    state.handlers!.onError(new Error('No such job: job-1.'));
    await expect(done).rejects.toThrow('No such job');
    expect(job.watchError.value).toBe('No such job: job-1.');
  });

  it('stops watching when the component goes away', () => {
    const { client, state } = fakeClient();
    const scope = effectScope();
    scope.run(
      () =>
        void useJob(client)
          .follow('job-1')
          .catch(() => undefined),
    );
    scope.stop();
    expect(state.unsubscribed).toBe(1);
  });
});
