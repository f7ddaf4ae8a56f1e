import { describe, expect, it } from 'vitest';
import { effectScope } from 'vue';
import { jobPercent, useJob, type JobView } from './use-job.ts';

type Handlers = { onData: (event: { id: string; data: JobView }) => void; onError: (error: unknown) => void };

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

const snapshot = (overrides: Partial<JobView>): JobView => ({
  id: 'job-1',
  kind: 'backup',
  label: 'backup',
  state: 'running',
  progress: null,
  error: null,
  ...overrides,
});

describe('jobPercent', () => {
  it('is null while the total is unknown and clamps to 0..100', () => {
    expect(jobPercent(null)).toBeNull();
    expect(jobPercent({ phase: 'compress', bytesDone: 10 })).toBeNull();
    expect(jobPercent({ phase: 'compress', bytesDone: 50, bytesTotal: 200 })).toBe(25);
    expect(jobPercent({ phase: 'compress', bytesDone: 300, bytesTotal: 200 })).toBe(100);
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
    state.handlers!.onData({ id: '2', data: snapshot({ state: 'failed', error: { code: 'DISK_FULL', message: 'The disk is full.' } }) });
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
    scope.run(() => void useJob(client).follow('job-1').catch(() => undefined));
    scope.stop();
    expect(state.unsubscribed).toBe(1);
  });
});
