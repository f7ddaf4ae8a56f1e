import { LockerError } from '@evidence-locker/core';
import { describe, expect, it } from 'vitest';
import { JobRunner, type JobContext, type JobSpec } from './job-runner.ts';
import type { JobKind } from './job-schema.ts';
import type { JobSnapshot } from './job-snapshot.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A job for the runner's own tests: the runner never reads a result, so these return none. */
function testJob<K extends JobKind>(spec: Omit<JobSpec<K>, 'run'> & { run: (context: JobContext) => Promise<unknown> }): JobSpec<K> {
  return spec as JobSpec<K>;
}

async function collect(iterable: AsyncIterable<JobSnapshot>): Promise<JobSnapshot[]> {
  const seen: JobSnapshot[] = [];
  for await (const snapshot of iterable) seen.push(snapshot);
  return seen;
}

describe('JobRunner', () => {
  it('runs jobs one at a time in the order they came', async () => {
    const runner = new JobRunner();
    const order: string[] = [];
    const gate = deferred();
    const first = runner.enqueue(
      testJob({
        kind: 'backup',
        label: 'first',
        writesDataDir: false,
        run: async () => {
          order.push('first:start');
          await gate.promise;
          order.push('first:end');
        },
      }),
    );
    const second = runner.enqueue(
      testJob({ kind: 'verify', label: 'second', writesDataDir: false, run: async () => void order.push('second') }),
    );
    expect(runner.get(second.id)?.state).toBe('queued');
    gate.resolve();
    await runner.wait(second.id);
    expect(order).toEqual(['first:start', 'first:end', 'second']);
    expect(runner.get(first.id)?.state).toBe('succeeded');
  });

  it("runs a job of a lane beside the main queue, and the lane's jobs one at a time; close ends them all", async () => {
    const runner = new JobRunner();
    const order: string[] = [];
    const backupGate = deferred();
    const pushGate = deferred();
    const backup = runner.enqueue(testJob({ kind: 'backup', label: 'backup', writesDataDir: false, run: () => backupGate.promise }));
    const push = runner.enqueue(
      testJob({
        kind: 'push',
        label: 'push a',
        writesDataDir: false,
        lane: 'push:a',
        run: async () => {
          order.push('push a:start');
          await pushGate.promise;
          order.push('push a:end');
        },
      }),
    );
    const second = runner.enqueue(
      testJob({
        kind: 'push',
        label: 'push a again',
        writesDataDir: false,
        lane: 'push:a',
        run: async () => void order.push('push a again'),
      }),
    );
    const stuck = runner.enqueue(
      testJob({
        kind: 'push',
        label: 'push b',
        writesDataDir: false,
        lane: 'push:b',
        run: ({ signal }) =>
          new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new LockerError('CANCELLED', 'stopped')))),
      }),
    );
    // The backup runs and the push of lane a too; the second push of lane a waits for the first.
    await expect.poll(() => order).toEqual(['push a:start']);
    expect(runner.get(backup.id)?.state).toBe('running');
    expect(runner.get(stuck.id)?.state).toBe('running');
    expect(runner.get(second.id)?.state).toBe('queued');
    pushGate.resolve();
    await runner.wait(second.id);
    expect(order).toEqual(['push a:start', 'push a:end', 'push a again']);
    expect(runner.get(push.id)?.state).toBe('succeeded');
    expect(runner.get(backup.id)?.state).toBe('running');
    backupGate.resolve();
    await runner.wait(backup.id);
    await runner.close();
    expect(runner.get(stuck.id)).toMatchObject({ state: 'cancelled', error: { code: 'SERVER_SHUTDOWN' } });
  });

  it('refuses a second restore while one is in progress, with a clear message', async () => {
    const runner = new JobRunner();
    const gate = deferred();
    const restore = runner.enqueue(testJob({ kind: 'restore', label: 'a.tar.gz', writesDataDir: true, run: () => gate.promise }));
    expect(() => runner.enqueue(testJob({ kind: 'restore', label: 'b.tar.gz', writesDataDir: true, run: async () => undefined }))).toThrow(
      /A restore is already in progress \(a\.tar\.gz\)/,
    );
    gate.resolve();
    await runner.wait(restore.id);
  });

  it('streams progress and the final state to watchers, and reports engine errors by code', async () => {
    const runner = new JobRunner();
    const gate = deferred();
    const job = runner.enqueue(
      testJob({
        kind: 'backup',
        label: 'x',
        writesDataDir: false,
        run: async (context: JobContext) => {
          await gate.promise;
          context.report({ phase: 'compress', bytesDone: 50, bytesTotal: 100 });
          context.report({ phase: 'compress', bytesDone: 100, bytesTotal: 100 });
          throw new LockerError('DISK_FULL', 'The backup directory is full');
        },
      }),
    );
    const watching = collect(runner.watch(job.id));
    gate.resolve();
    const seen = await watching;
    expect(seen.map((snapshot) => snapshot.state)).toContain('running');
    expect(seen.some((snapshot) => snapshot.progress?.bytesDone === 100)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ state: 'failed', error: { code: 'DISK_FULL', message: 'The backup directory is full' } });
  });

  it('still sends the final state to a watcher when the job ends while it takes the first event', async () => {
    const runner = new JobRunner();
    const gate = deferred();
    const job = runner.enqueue(testJob({ kind: 'verify', label: 'v', writesDataDir: false, run: () => gate.promise }));
    await new Promise((resolve) => setImmediate(resolve));
    const watch = runner.watch(job.id);
    const first = await watch.next();
    expect(first.value).toMatchObject({ state: 'running' });
    // The job ends before the watcher asks for more (a slow SSE client).
    gate.resolve();
    await runner.wait(job.id);
    const rest: JobSnapshot[] = [];
    for await (const snapshot of { [Symbol.asyncIterator]: () => watch }) rest.push(snapshot);
    expect(rest.at(-1)?.state).toBe('succeeded');
  });

  it('hides unexpected errors from clients but hands them to onFailure', async () => {
    const runner = new JobRunner();
    const causes: unknown[] = [];
    const job = runner.enqueue(
      testJob({
        kind: 'verify',
        label: 'x',
        writesDataDir: false,
        run: async () => {
          throw new Error('secret internals');
        },
        onFailure: (_error, cause) => causes.push(cause),
      }),
    );
    const final = await runner.wait(job.id);
    expect(final.error).toEqual({ code: 'INTERNAL', message: 'The job failed unexpectedly; the server log has the details.', details: {} });
    expect((causes[0] as Error).message).toBe('secret internals');
  });

  it('cancels a running job through its signal', async () => {
    const runner = new JobRunner();
    const job = runner.enqueue(
      testJob({
        kind: 'backup',
        label: 'x',
        writesDataDir: false,
        run: ({ signal }) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(new LockerError('CANCELLED', 'The backup was cancelled.'))),
          ),
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    runner.cancel(job.id);
    expect((await runner.wait(job.id)).state).toBe('cancelled');
  });

  it('makes a restore wait for an open download, and a download wait for a running restore', async () => {
    const runner = new JobRunner();
    const events: string[] = [];
    const release = await runner.acquireReadLease();
    const restore = runner.enqueue(
      testJob({ kind: 'restore', label: 'r', writesDataDir: true, run: async () => void events.push('restore ran') }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual([]);
    events.push('download done');
    release();
    await runner.wait(restore.id);
    expect(events).toEqual(['download done', 'restore ran']);

    const gate = deferred();
    const second = runner.enqueue(testJob({ kind: 'restore', label: 'r2', writesDataDir: true, run: () => gate.promise }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    let leased = false;
    const lease = runner.acquireReadLease().then((done) => {
      leased = true;
      done();
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(leased).toBe(false);
    gate.resolve();
    await runner.wait(second.id);
    await lease;
    expect(leased).toBe(true);
  });

  it('cancels queued jobs and waits for the running one on close', async () => {
    const runner = new JobRunner();
    const running = runner.enqueue(
      testJob({
        kind: 'backup',
        label: 'a',
        writesDataDir: false,
        run: ({ signal }) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(new LockerError('CANCELLED', 'stopped')))),
      }),
    );
    const queued = runner.enqueue(testJob({ kind: 'backup', label: 'b', writesDataDir: false, run: async () => undefined }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await runner.close();
    expect(runner.get(running.id)?.state).toBe('cancelled');
    expect(runner.get(queued.id)?.state).toBe('cancelled');
    expect(() => runner.enqueue(testJob({ kind: 'backup', label: 'c', writesDataDir: false, run: async () => undefined }))).toThrow(
      /shutting down/,
    );
  });

  it('waits on close until a download still streaming has released its read lease', async () => {
    const runner = new JobRunner();
    const release = await runner.acquireReadLease();
    let closed = false;
    const closing = runner.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    release();
    await closing;
    expect(closed).toBe(true);
  });
});
