import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './serve.ts';
import { createTestServices, type TestServices } from './test-support/test-services.ts';

let setup: TestServices | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  await setup?.cleanup();
  server = undefined;
  setup = undefined;
});

describe('startServer', () => {
  it('listens, installs SIGTERM/SIGINT handlers and removes them on close', async () => {
    setup = await createTestServices();
    const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') };
    server = await startServer({ ...setup.env, port: 0 }, { instance: setup.services.instance });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
    expect(process.listenerCount('SIGINT')).toBe(before.int + 1);
    const health = await fetch(`${server.url}/api/health`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    await server.close();
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
    expect(process.listenerCount('SIGINT')).toBe(before.int);
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });

  it('fails with the listen error when the port is taken, and closes what it opened', async () => {
    setup = await createTestServices();
    server = await startServer({ ...setup.env, port: 0 }, { instance: setup.services.instance, handleSignals: false });
    const port = Number(new URL(server.url).port);
    const other = await createTestServices();
    try {
      await expect(startServer({ ...other.env, port }, { instance: other.services.instance, handleSignals: false })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await other.cleanup();
    }
  });

  it('seeds demo data at start when demo mode is forced on an empty instance', async () => {
    setup = await createTestServices({ demoMode: true });
    server = await startServer({ ...setup.env, port: 0 }, { instance: setup.services.instance, handleSignals: false });
    const jobs = server.app.locker.jobs.list();
    expect(jobs.map((job) => job.kind)).toEqual(['demo-seed']);
  });

  it('leaves an instance that is not in demo mode alone at start', async () => {
    setup = await createTestServices();
    server = await startServer({ ...setup.env, port: 0 }, { instance: setup.services.instance, handleSignals: false });
    expect(server.app.locker.jobs.list()).toEqual([]);
  });
});
