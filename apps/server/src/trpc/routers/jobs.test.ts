import { hashPassword, LockerError } from '@evidence-locker/core';
import { isTrackedEnvelope } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../errors/server-refusal.ts';
import type { JobContext } from '../../jobs/job-runner.ts';
import { createTestContext, createTestServices, type TestServices } from '@evidence-locker/server/testing/test-services';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);
const PASSWORD = 'correct horse battery';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A backup-kind job on the runner that reports half its work, then waits for `finish` and fails
 * with DISK_FULL, or ends CANCELLED when cancelled. No result, so these tests say nothing of its shape.
 */
function gatedJob(services: TestServices['services']) {
  const started = deferred();
  const finish = deferred();
  const job = services.jobs.enqueue({
    kind: 'backup',
    label: 'gated',
    writesDataDir: false,
    run: async ({ signal, report }: JobContext) => {
      report({ phase: 'compress', bytesDone: 50, bytesTotal: 100 });
      started.resolve();
      await new Promise<void>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(new LockerError('CANCELLED', 'The backup was cancelled.')));
        void finish.promise.then(resolve);
      });
      throw new LockerError('DISK_FULL', 'The backup directory is full.');
    },
  });
  return { job, started: started.promise, finish: finish.resolve };
}

/**
 * Every snapshot a `jobs.watch` subscription yields, unwrapped from its tracked envelope, with the
 * ids; `afterFirst` runs once the first event has been read (as a client reads it).
 */
async function watched(
  iterable: AsyncIterable<unknown>,
  afterFirst: () => unknown = () => undefined,
): Promise<{ ids: string[]; states: string[]; progress: unknown[] }> {
  const ids: string[] = [];
  const states: string[] = [];
  const progress: unknown[] = [];
  for await (const event of iterable) {
    if (!isTrackedEnvelope<{ state: string; progress: unknown }>(event)) throw new Error('not a tracked event');
    const [id, snapshot] = event;
    ids.push(id);
    states.push(snapshot.state);
    progress.push(snapshot.progress);
    if (ids.length === 1) await afterFirst();
  }
  return { ids, states, progress };
}

async function loggedIn(services: TestServices['services']): Promise<string> {
  const request = createTestContext(services);
  await createCaller(request.ctx).auth.login({ password: PASSWORD });
  if (request.cookie.value === undefined) throw new Error('no session cookie');
  return request.cookie.value;
}

describe('jobs.get and jobs.list', () => {
  it('report a job while it runs, with its progress, and when it has failed, with the engine code', async () => {
    const setup = await createTestServices();
    const api = createCaller(createTestContext(setup.services).ctx);
    const { job, started, finish } = gatedJob(setup.services);
    await started;
    expect(await api.jobs.get({ id: job.id })).toMatchObject({
      id: job.id,
      kind: 'backup',
      label: 'gated',
      state: 'running',
      progress: { phase: 'compress', bytesDone: 50, bytesTotal: 100 },
      error: null,
    });
    finish();
    await setup.services.jobs.wait(job.id);
    expect(await api.jobs.get({ id: job.id })).toMatchObject({
      state: 'failed',
      error: { code: 'DISK_FULL', message: 'The backup directory is full.' },
    });
  });

  it('lists every known job, newest first', async () => {
    const setup = await createTestServices();
    const api = createCaller(createTestContext(setup.services).ctx);
    expect(await api.jobs.list()).toEqual([]);
    const first = gatedJob(setup.services);
    const second = gatedJob(setup.services);
    await first.started;
    expect((await api.jobs.list()).map((job) => [job.id, job.state])).toEqual([
      [second.job.id, 'queued'],
      [first.job.id, 'running'],
    ]);
    first.finish();
    second.finish();
    await setup.services.jobs.wait(second.job.id);
  });
});

describe('jobs.cancel', () => {
  it('cancels a running job, which then ends cancelled', async () => {
    const setup = await createTestServices();
    const api = createCaller(createTestContext(setup.services).ctx);
    const { job, started } = gatedJob(setup.services);
    await started;
    await api.jobs.cancel({ id: job.id });
    expect((await setup.services.jobs.wait(job.id)).state).toBe('cancelled');
    expect(await api.jobs.get({ id: job.id })).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
  });

  it('refuses to cancel a job past its point of no return, says why, and lets it finish', async () => {
    const setup = await createTestServices();
    const api = createCaller(createTestContext(setup.services).ctx);
    const published = deferred();
    const finish = deferred();
    let aborted = false;
    const job = setup.services.jobs.enqueue({
      kind: 'backup',
      label: 'Restore of a backup',
      writesDataDir: false,
      cancellable: (progress) => progress?.phase !== 'publish',
      run: async ({ signal, report }) => {
        signal.addEventListener('abort', () => (aborted = true));
        report({ phase: 'publish', bytesDone: 1, bytesTotal: 1 });
        published.resolve();
        await finish.promise;
        return { fileName: 'f', path: '/f', size: 1, sealed: false, trigger: 'manual', pruned: [], pruneProblems: [] };
      },
    });
    await published.promise;
    expect(await api.jobs.get({ id: job.id })).toMatchObject({ state: 'running', cancellable: false });
    const refused = await api.jobs.cancel({ id: job.id }).catch((error: unknown) => error);
    expect(refusalOf(refused)?.code).toBe('JOB_NOT_CANCELLABLE');
    expect((refused as Error).message).toMatch(/^Restore of a backup can no longer be cancelled/);
    expect(aborted).toBe(false);
    finish.resolve();
    expect((await setup.services.jobs.wait(job.id)).state).toBe('succeeded');
  });

  it('offers cancel while a job runs, not twice, and not once it ended', async () => {
    const setup = await createTestServices();
    const api = createCaller(createTestContext(setup.services).ctx);
    const { job, started } = gatedJob(setup.services);
    await started;
    expect((await api.jobs.get({ id: job.id })).cancellable).toBe(true);
    expect((await api.jobs.cancel({ id: job.id })).cancellable).toBe(false);
    // A second press while it stops answers the same, without an error.
    expect(await api.jobs.cancel({ id: job.id })).toMatchObject({ cancellable: false });
    await setup.services.jobs.wait(job.id);
    expect(await api.jobs.get({ id: job.id })).toMatchObject({ state: 'cancelled', cancellable: false });
  });
});

describe('a server that shuts down', () => {
  it('ends the running job as stopped by the shutdown, not as cancelled by someone', async () => {
    const setup = await createTestServices();
    const { job, started } = gatedJob(setup.services);
    await started;
    await setup.services.jobs.close();
    expect(setup.services.jobs.get(job.id)).toMatchObject({ state: 'cancelled', error: { code: 'SERVER_SHUTDOWN' } });
  });

  it('tells a page whose restore it no longer knows whether its start finished one', async () => {
    const setup = await createTestServices();
    const api = createCaller(createTestContext(setup.services).ctx);
    expect(await api.jobs.startup()).toEqual({ interruptedRestoreFinished: false });
    setup.services.instance.interruptedRestoreFinished = true;
    expect(await api.jobs.startup()).toEqual({ interruptedRestoreFinished: true });
  });
});

describe('jobs.watch', () => {
  it('streams the snapshot now and after every change as tracked events, ending with the final state', async () => {
    const setup = await createTestServices();
    const api = createCaller(createTestContext(setup.services).ctx);
    const { job, started, finish } = gatedJob(setup.services);
    await started;
    const { ids, states, progress } = await watched(await api.jobs.watch({ id: job.id }), finish);
    expect(states).toEqual(['running', 'failed']);
    expect(progress[0]).toMatchObject({ bytesDone: 50 });
    // Ids a reconnecting client can resume from: the job's, numbered in order.
    expect(ids).toEqual(states.map((_, index) => `${job.id}:${index + 1}`));
  });

  it('gives a finished job its final state at once and ends', async () => {
    const setup = await createTestServices();
    const api = createCaller(createTestContext(setup.services).ctx);
    const { job, finish } = gatedJob(setup.services);
    finish();
    await setup.services.jobs.wait(job.id);
    expect((await watched(await api.jobs.watch({ id: job.id }))).states).toEqual(['failed']);
  });

  it('keeps reporting to the client that started watching when an admin password is set meanwhile', async () => {
    const setup = await createTestServices();
    const api = createCaller(createTestContext(setup.services).ctx);
    const { job, started, finish } = gatedJob(setup.services);
    await started;
    const passwordSet = async () => {
      // What a restore of an archive with an admin password does to the instance.
      await setup.services.instance.updateConfig({ admin_password: await hashPassword(PASSWORD) });
      await expect(api.jobs.get({ id: job.id })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      finish();
    };
    expect((await watched(await api.jobs.watch({ id: job.id }), passwordSet)).states.at(-1)).toBe('failed');
  });
});

describe('an unknown job id', () => {
  it('is NOT_FOUND with the code JOB_NOT_FOUND for get, cancel and watch', async () => {
    const setup = await createTestServices();
    const api = createCaller(createTestContext(setup.services).ctx);
    const id = crypto.randomUUID();
    // watch refuses when the client starts reading (over SSE: its first event is the error).
    const watch = async () => watched(await api.jobs.watch({ id }));
    for (const call of [() => api.jobs.get({ id }), () => api.jobs.cancel({ id }), watch]) {
      const error = await call().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: `No such job: ${id}. Jobs are kept until the server restarts.` });
      expect(refusalOf(error)).toMatchObject({ code: 'JOB_NOT_FOUND', details: { id } });
    }
  });

  it('is refused with BAD_REQUEST when it is not a job id at all', async () => {
    const setup = await createTestServices();
    const api = createCaller(createTestContext(setup.services).ctx);
    await expect(api.jobs.get({ id: '../etc/passwd' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('who may see jobs', () => {
  it('refuses every jobs procedure with LOGIN_REQUIRED when an admin password is set and there is no session', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox', admin_password: await hashPassword(PASSWORD) } });
    const { job, finish } = gatedJob(setup.services);
    const anonymous = createCaller(createTestContext(setup.services).ctx);
    const calls = [
      () => anonymous.jobs.get({ id: job.id }),
      () => anonymous.jobs.list(),
      () => anonymous.jobs.cancel({ id: job.id }),
      () => anonymous.jobs.watch({ id: job.id }),
    ];
    for (const call of calls) {
      const error = await call().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Log in first: this instance has an admin password.' });
      expect(refusalOf(error)?.code).toBe('LOGIN_REQUIRED');
    }
    // Nothing was cancelled by the refused call.
    expect(setup.services.jobs.get(job.id)?.state).not.toBe('cancelled');

    const api = createCaller(createTestContext(setup.services, { sessionToken: await loggedIn(setup.services) }).ctx);
    expect(await api.jobs.get({ id: job.id })).toMatchObject({ id: job.id });
    expect((await api.jobs.list()).map((listed) => listed.id)).toEqual([job.id]);
    finish();
    await setup.services.jobs.wait(job.id);
    expect((await watched(await api.jobs.watch({ id: job.id }))).states).toEqual(['failed']);
  });
});
