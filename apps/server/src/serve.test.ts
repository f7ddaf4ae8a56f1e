import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LockerError, ownLeaseName } from '@evidence-locker/core';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEnv } from './env.ts';
import { FIXTURE_A, stagedUploads } from '@evidence-locker/server/testing/restore-support';
import { startServer, type RunningServer } from './serve.ts';
import { createTestServices } from '@evidence-locker/server/testing/test-services';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startServer', () => {
  it('listens, installs SIGTERM/SIGINT handlers and removes them on close', async () => {
    const setup = await createTestServices();
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
    const setup = await createTestServices();
    server = await startServer({ ...setup.env, port: 0 }, { instance: setup.services.instance, handleSignals: false });
    const port = Number(new URL(server.url).port);
    const other = await createTestServices();
    await expect(startServer({ ...other.env, port }, { instance: other.services.instance, handleSignals: false })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('seeds demo data at start when demo mode is forced on an empty instance', async () => {
    const setup = await createTestServices({ demoMode: true });
    server = await startServer({ ...setup.env, port: 0 }, { instance: setup.services.instance, handleSignals: false });
    const jobs = server.app.locker.jobs.list();
    expect(jobs.map((job) => job.kind)).toEqual(['demo-seed']);
  });

  it('shuts down without waiting for a watched job to end: the job is cancelled at once and its watcher told', async () => {
    const setup = await createTestServices();
    // A grace period far longer than the test: only cancelling the job first ends its progress stream.
    server = await startServer(
      { ...setup.env, port: 0 },
      { instance: setup.services.instance, handleSignals: false, shutdownGraceMs: 60_000 },
    );
    const job = server.app.locker.jobs.enqueue({
      kind: 'backup',
      label: 'runs until cancelled',
      writesDataDir: false,
      run: ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new LockerError('CANCELLED', 'The backup was cancelled.'))),
        ),
    });
    const watch = await fetch(`${server.url}/trpc/jobs.watch?input=${encodeURIComponent(JSON.stringify({ id: job.id }))}`);
    expect(watch.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = watch.text();
    const started = Date.now();
    await server.close();
    server = undefined;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await events).toContain('"state":"cancelled"');
  });

  it('cuts a request still open after the grace period (a stalled upload) and removes what it staged', async () => {
    const setup = await createTestServices();
    server = await startServer(
      { ...setup.env, port: 0 },
      { instance: setup.services.instance, handleSignals: false, shutdownGraceMs: 300 },
    );
    const port = Number(new URL(server.url).port);
    const socket = net.connect(port, '127.0.0.1');
    // The cut resets the connection: expected here.
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    const archive = fs.readFileSync(FIXTURE_A);
    socket.write(
      `POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${archive.length}\r\n\r\n`,
    );
    // Half the archive, then the client stalls.
    socket.write(archive.subarray(0, archive.length >> 1));
    const deadline = Date.now() + 5000;
    while (stagedUploads(setup.dataDir).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stagedUploads(setup.dataDir)).not.toEqual([]);
    const socketClosed = new Promise((resolve) => socket.once('close', resolve));
    const started = Date.now();
    await server.close();
    server = undefined;
    await socketClosed;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(stagedUploads(setup.dataDir)).toEqual([]);
  });

  it('leaves an instance that is not in demo mode alone at start', async () => {
    const setup = await createTestServices();
    server = await startServer({ ...setup.env, port: 0 }, { instance: setup.services.instance, handleSignals: false });
    expect(server.app.locker.jobs.list()).toEqual([]);
  });

  it('removes what a crash left before the first request: uploads staged beside an interrupted restore, leases of killed processes', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-serve-crash-'));
    const dataDir = path.join(root, 'data');
    const backupDir = path.join(root, 'backups');
    fs.mkdirSync(dataDir);
    fs.mkdirSync(backupDir);
    // A restore killed while publishing: its intent and one staged member still to rename…
    const staged = '.evidence-locker-restore-config.json.a1b2c3d4e5f6.tmp';
    fs.writeFileSync(path.join(dataDir, 'config.json'), '{"old": true}');
    fs.writeFileSync(path.join(dataDir, staged), '{}');
    fs.writeFileSync(
      path.join(dataDir, '.evidence-locker-restore-intent.json'),
      JSON.stringify({ version: 1, renames: [{ from: staged, to: 'config.json' }], removals: [] }),
    );
    // …another upload that was waiting to be restored, and the lease of the killed server.
    const otherUpload = '.evidence-locker-prepared-0b8a3f52-52b5-4c3e-9a57-d2b1a5f0e0c1-docsis_history.db.0a1b2c3d4e5f.tmp';
    fs.writeFileSync(path.join(dataDir, otherUpload), 'staged database');
    const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const staleLease = `.evidence-locker.lease.${ownLeaseName().split('.')[3]}.${deadPid}.0`;
    fs.writeFileSync(path.join(dataDir, staleLease), '');
    try {
      const env = loadEnv({ DATA_DIR: dataDir, BACKUP_DIR: backupDir, HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
      server = await startServer({ ...env, port: 0 }, { handleSignals: false });
      const names = fs.readdirSync(dataDir);
      expect(names.filter((name) => name.startsWith('.evidence-locker'))).toEqual([ownLeaseName()]);
      expect(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')).toBe('{}');
      await server.close();
      server = undefined;
      expect(fs.readdirSync(dataDir).filter((name) => name.startsWith('.evidence-locker'))).toEqual([]);
      expect(fs.readdirSync(backupDir)).toEqual([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
