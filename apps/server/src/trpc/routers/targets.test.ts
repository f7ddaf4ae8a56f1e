/**
 * The targets router and the pushes after a backup, against a real OpenSSH sshd on loopback
 * (@evidence-locker/test-servers/sshd). Retries run on a test clock: nothing waits for minutes.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  createBackup,
  generateSealIdentity,
  parseIdentityText,
  TARGET_TEMP_PREFIX,
  verifyBackup,
  type BackupTrigger,
} from '@evidence-locker/core';
import { freePort } from '@evidence-locker/test-servers/free-port';
import { startSshd, type StartedSshd } from '@evidence-locker/test-servers/sshd';
import { finished } from '@evidence-locker/server/testing/restore-support';
import { createTestContext, createTestServices, type TestServices } from '@evidence-locker/server/testing/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSnapshot } from '../../jobs/job-snapshot.ts';
import type { SchedulerClock } from '../../schedule/backup-scheduler.ts';
import { TargetPusher } from '../../targets/target-pusher.ts';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);
const MINUTE = 60_000;

/** A clock whose time moves only when a test says so; due timers fire in order. */
class TestClock implements SchedulerClock {
  #now = Date.parse('2026-03-01T10:00:00Z');
  #timers: Array<{ at: number; callback: () => void; handle: object }> = [];
  now(): number {
    return this.#now;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const handle = {};
    this.#timers.push({ at: this.#now + ms, callback, handle });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((timer) => timer.handle !== handle);
  }
  get armed(): number {
    return this.#timers.length;
  }
  advance(ms: number): void {
    this.#now += ms;
    for (;;) {
      const due = this.#timers.filter((timer) => timer.at <= this.#now).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) return;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      due.callback();
    }
  }
}

let sshd: StartedSshd;

beforeAll(async () => {
  sshd = await startSshd({ passwordUser: false });
}, 120_000);

afterAll(async () => {
  await sshd?.stop();
});

/** A remote directory of its own inside sshd's root dir. */
function remoteDir(name: string): string {
  const dir = path.join(sshd.rootDir, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  fs.mkdirSync(dir);
  return dir;
}

function sftpDraft(directory: string, options: { port?: number; sealed?: boolean; name?: string; keepLast?: number } = {}) {
  return {
    name: options.name ?? 'NAS',
    enabled: true,
    sealed: options.sealed ?? true,
    retention: options.keepLast === undefined ? {} : { keepLast: options.keepLast },
    address: { kind: 'sftp' as const, host: '127.0.0.1', port: options.port ?? sshd.port, username: 'root', directory },
    secrets: { privateKey: sshd.privateKey },
  };
}

/** An open instance (no admin password) with a pusher on a test clock, and a caller. */
async function instance() {
  const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
  const clock = new TestClock();
  setup.services.targetPusher = new TargetPusher({ instance: setup.services.instance, jobs: setup.services.jobs, clock });
  const context = createTestContext(setup.services, { clientAddress: '192.0.2.77' });
  return { setup, clock, context, api: createCaller(context.ctx) };
}

async function sealWithNewIdentity(api: ReturnType<typeof createCaller>): Promise<string> {
  const prepared = await api.seal.prepare({ mode: 'identity' });
  await api.seal.confirm({ pendingId: prepared.pendingId, kept: true });
  return parseIdentityText(prepared.kit.text)[0]!;
}

function pushJobs(setup: TestServices, targetId?: string): JobSnapshot[] {
  return setup.services.jobs
    .list()
    .filter((job) => job.kind === 'push' && (targetId === undefined || job.result === undefined || job.result.targetId === targetId));
}

/** Waits until every push job has finished. */
async function pushesSettled(setup: TestServices): Promise<void> {
  await expect
    .poll(() => pushJobs(setup).filter((job) => job.state === 'queued' || job.state === 'running').length, { timeout: 20_000 })
    .toBe(0);
}

async function backupNow(setup: TestServices, api: ReturnType<typeof createCaller>): Promise<string> {
  const job = await finished(setup.services.jobs, await api.backups.create());
  if (job.kind !== 'backup' || job.state !== 'succeeded' || !job.result) throw new Error(`backup failed: ${JSON.stringify(job.error)}`);
  return job.result.fileName;
}

function remoteNames(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('targets: add, test, list, remove', () => {
  it('adds an SFTP target after its host key is accepted, tests it, and never answers, stores or logs a secret in the clear', async () => {
    const { setup, api, context } = await instance();
    const dir = remoteDir('add');
    const draft = sftpDraft(dir);

    // Sealed by default with no instance key and no recipient: refused with what to do.
    await expect(api.targets.add({ ...draft, hostKeyFingerprint: sshd.hostKeyFingerprint })).rejects.toMatchObject({
      code: 'CONFLICT',
      cause: { code: 'TARGET_SEAL_NO_KEY', message: expect.stringMatching(/Turn sealing on.*recipient.*plain/) },
    });
    await sealWithNewIdentity(api);

    // A server not seen before: refused with its fingerprint; testing with that fingerprint accepts it.
    await expect(api.targets.test({ draft })).rejects.toMatchObject({
      cause: { code: 'TARGET_HOST_KEY_UNKNOWN', details: { fingerprint: sshd.hostKeyFingerprint } },
    });
    const accepted = { ...draft, hostKeyFingerprint: sshd.hostKeyFingerprint };
    expect(await api.targets.test({ draft: accepted })).toMatchObject({ entries: 0, elapsedMs: expect.any(Number) });
    expect(remoteNames(dir)).toEqual([]);

    const added = await api.targets.add(accepted);
    expect(added).toMatchObject({
      name: 'NAS',
      kind: 'sftp',
      sealed: true,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
      secretsSet: { privateKey: true, password: false, secretAccessKey: false, privateKeyPassphrase: false },
    });
    expect(added).not.toHaveProperty('secrets');
    expect(await api.targets.test({ id: added.id })).toMatchObject({ entries: 0 });
    // An edit without secrets keeps the stored key.
    await api.targets.update({ ...accepted, id: added.id, name: 'NAS 2', secrets: {} });
    expect(await api.targets.test({ id: added.id })).toMatchObject({ entries: 0 });

    const list = await api.targets.list();
    expect(list.problems).toEqual([]);
    expect(list.targets).toEqual([
      expect.objectContaining({
        id: added.id,
        name: 'NAS 2',
        state: { lastSuccessAt: null, lastSuccessName: null, lastFailure: null, nextTryAt: null, pushing: false },
      }),
    ]);
    const keyBody = sshd.privateKey.split('\n')[1]!;
    expect(JSON.stringify(list)).not.toContain(keyBody);
    const config = JSON.parse(fs.readFileSync(path.join(setup.dataDir, 'config.json'), 'utf8')) as {
      backup_targets: Array<{ secrets: Record<string, string> }>;
    };
    expect(Object.keys(config.backup_targets[0]!.secrets)).toEqual(['privateKey']);
    expect(config.backup_targets[0]!.secrets.privateKey).toMatch(/^gAAAAA[A-Za-z0-9_-]+=*$/);
    expect(JSON.stringify(config)).not.toContain(keyBody);
    expect(JSON.stringify(context.logLines)).not.toContain(keyBody);
    expect(context.logLines.map((line) => line.fields.audit)).toEqual(
      expect.arrayContaining(['target.added', 'target.updated', 'target.tested']),
    );
    expect(context.logLines.find((line) => line.fields.audit === 'target.added')?.fields).toMatchObject({
      ip: '192.0.2.77',
      location: `sftp://root@127.0.0.1:${sshd.port}${dir}`,
    });

    const removed = await api.targets.remove({ id: added.id });
    expect(removed.message).toMatch(/copies already on it are left there/);
    expect((await api.targets.list()).targets).toEqual([]);
    await expect(api.targets.copies({ id: added.id })).rejects.toMatchObject({ cause: { code: 'TARGET_NOT_FOUND' } });
    expect(context.logLines.map((line) => line.fields.audit)).toContain('target.removed');
  });
});

describe('pushes after a backup', () => {
  it('sends Backup now to the target sealed with the instance key, and the copy opens with it', async () => {
    const { setup, api } = await instance();
    const identity = await sealWithNewIdentity(api);
    const dir = remoteDir('sealed');
    const target = await api.targets.add({ ...sftpDraft(dir), hostKeyFingerprint: sshd.hostKeyFingerprint });

    const fileName = await backupNow(setup, api);
    await pushesSettled(setup);
    const [push] = pushJobs(setup);
    expect(push).toMatchObject({ state: 'succeeded', result: { targetId: target.id, fileName, sealed: true, alreadyThere: false } });
    expect(fileName.endsWith('.age')).toBe(true); // the instance seals its backups: sent as they are
    expect(remoteNames(dir)).toEqual([fileName]);
    expect(fs.statSync(path.join(dir, fileName)).size).toBe(fs.statSync(path.join(setup.backupDir, fileName)).size);
    await expect(verifyBackup(dir, fileName, { key: { identities: [identity] } })).resolves.toBeDefined();

    const state = (await api.targets.list()).targets[0]!.state;
    expect(state).toMatchObject({ lastSuccessName: fileName, lastFailure: null, nextTryAt: null, pushing: false });
    expect((await api.targets.copies({ id: target.id })).entries).toEqual([
      expect.objectContaining({ name: fileName, sealed: true, ownedHere: true }),
    ]);
  });

  it('records a push refused because sealing was turned off with its own code, TARGET_SEAL_NO_KEY, for the list to show', async () => {
    const { setup, api } = await instance();
    await sealWithNewIdentity(api);
    const dir = remoteDir('seal-off');
    const target = await api.targets.add({ ...sftpDraft(dir), hostKeyFingerprint: sshd.hostKeyFingerprint });
    await api.seal.disable();

    const fileName = await backupNow(setup, api);
    await pushesSettled(setup);
    expect(fileName.endsWith('.tar.gz')).toBe(true);
    expect(pushJobs(setup)[0]).toMatchObject({ state: 'failed', error: { code: 'TARGET_SEAL_NO_KEY' } });
    expect(remoteNames(dir)).toEqual([]);
    const state = (await api.targets.list()).targets.find((listed) => listed.id === target.id)!.state;
    expect(state.lastFailure).toMatchObject({ code: 'TARGET_SEAL_NO_KEY' });
  });

  it("seals a plain backup on the way for the target's own recipient, while the local backup stays plain", async () => {
    const { setup, api } = await instance();
    const { identity, recipient } = await generateSealIdentity();
    const dir = remoteDir('recipient');
    const target = await api.targets.add({ ...sftpDraft(dir), recipient, hostKeyFingerprint: sshd.hostKeyFingerprint });
    expect(target).toMatchObject({ sealed: true, recipient });

    const fileName = await backupNow(setup, api);
    await pushesSettled(setup);
    expect(fileName.endsWith('.tar.gz')).toBe(true);
    expect(pushJobs(setup)[0]).toMatchObject({ state: 'succeeded', result: { remoteName: `${fileName}.age`, sealed: true } });
    expect(remoteNames(dir)).toEqual([`${fileName}.age`]);
    await expect(verifyBackup(dir, `${fileName}.age`, { key: { identities: [identity] } })).resolves.toBeDefined();
    await expect(verifyBackup(dir, `${fileName}.age`)).rejects.toMatchObject({ code: 'SEAL_KEY_REQUIRED' });
  });

  it('keeps the local backup when a target is unreachable, records the failure and retries with backoff until it works', async () => {
    const { setup, api, clock } = await instance();
    await sealWithNewIdentity(api);
    const dir = remoteDir('retry');
    const port = await freePort();
    const target = await api.targets.add({ ...sftpDraft(dir, { port, name: 'Flaky' }), hostKeyFingerprint: sshd.hostKeyFingerprint });

    const fileName = await backupNow(setup, api);
    await pushesSettled(setup);
    expect(pushJobs(setup)).toEqual([
      expect.objectContaining({ state: 'failed', error: expect.objectContaining({ code: 'TARGET_UNREACHABLE' }) }),
    ]);
    expect(fs.existsSync(path.join(setup.backupDir, fileName))).toBe(true);
    expect((await api.backups.list()).backups.map((backup) => backup.fileName)).toEqual([fileName]);
    let state = (await api.targets.list()).targets[0]!.state;
    expect(state.lastFailure).toMatchObject({ code: 'TARGET_UNREACHABLE', message: expect.stringContaining('cannot be reached') });
    expect(Date.parse(state.nextTryAt!)).toBe(clock.now() + MINUTE);

    // One failure, one timer: time passing before the next try queues nothing.
    for (let tick = 0; tick < 5; tick++) clock.advance(10_000);
    expect(pushJobs(setup)).toHaveLength(1);
    expect(clock.armed).toBe(1);

    // The next try fails too: the wait doubles.
    clock.advance(10_000);
    await expect.poll(() => pushJobs(setup).length, { timeout: 10_000 }).toBe(2);
    await pushesSettled(setup);
    state = (await api.targets.list()).targets[0]!.state;
    expect(Date.parse(state.nextTryAt!)).toBe(clock.now() + 2 * MINUTE);
    expect(clock.armed).toBe(1);

    // The server is back (a proxy on the target's port), and the retry sends the copy.
    const proxy = net.createServer((client) => {
      const upstream = net.connect(sshd.port, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
    try {
      clock.advance(2 * MINUTE);
      await expect.poll(() => pushJobs(setup).length, { timeout: 10_000 }).toBe(3);
      await pushesSettled(setup);
      expect(pushJobs(setup)[0]).toMatchObject({ state: 'succeeded', result: { targetId: target.id, fileName } });
      state = (await api.targets.list()).targets[0]!.state;
      expect(state).toMatchObject({ lastSuccessName: fileName, lastFailure: null, nextTryAt: null });
      expect(remoteNames(dir)).toEqual([fileName]);
      expect(clock.armed).toBe(0);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("applies the target's retention only to this instance's copies, never the newest nor the one just sent", async () => {
    const { setup, api } = await instance();
    const dir = remoteDir('retention');
    // Every copy here is of a Backup now (manual), so the rule includes manual copies.
    const target = await api.targets.add({
      ...sftpDraft(dir, { sealed: false }),
      retention: { keepLast: 1, includeManual: true },
      hostKeyFingerprint: sshd.hostKeyFingerprint,
    });
    const made = await backupNow(setup, api);
    await pushesSettled(setup);
    // Older backups of this instance, and one another instance left on the target.
    const names = ['docsight_backup_2024-01-01_010000.tar.gz', 'docsight_backup_2024-01-02_010000.tar.gz'];
    for (const name of names) fs.copyFileSync(path.join(setup.backupDir, made), path.join(setup.backupDir, name));
    const stranger = 'docsight_backup_2023-01-01_010000.tar.gz';
    fs.copyFileSync(path.join(setup.backupDir, made), path.join(dir, stranger));

    // Sent by hand, older than the newest copy: kept because it was just sent.
    const push = async (fileName: string) => {
      const { jobs } = await api.targets.push({ fileName, id: target.id });
      expect(jobs).toHaveLength(1);
      return finished(setup.services.jobs, jobs[0]!);
    };
    const first = await push(names[0]!);
    expect(first).toMatchObject({ state: 'succeeded', result: { pruned: [] } });
    expect(remoteNames(dir)).toEqual([stranger, names[0], made].sort());

    // The next push prunes the older own copy; the newest and the stranger's stay.
    const second = await push(names[1]!);
    expect(second).toMatchObject({ state: 'succeeded', result: { pruned: [names[0]] } });
    expect(remoteNames(dir)).toEqual([stranger, names[1], made].sort());
    const copies = (await api.targets.copies({ id: target.id })).entries;
    expect(copies.map((copy) => [copy.name, copy.ownedHere])).toEqual([
      [made, true],
      [names[1], true],
      [stranger, false],
    ]);

    // Deleting a copy by hand.
    await api.targets.deleteCopy({ id: target.id, name: names[1]! });
    expect(remoteNames(dir)).toEqual([stranger, made].sort());
    await expect(api.targets.deleteCopy({ id: target.id, name: names[1]! })).rejects.toMatchObject({
      cause: { code: 'TARGET_OBJECT_MISSING' },
    });
  });

  it("keeps copies of manual and pre-restore backups out of the target's rule unless it includes manual ones", async () => {
    const { setup, api } = await instance();
    const dir = remoteDir('manual');
    const target = await api.targets.add({
      ...sftpDraft(dir, { sealed: false, keepLast: 1 }),
      hostKeyFingerprint: sshd.hostKeyFingerprint,
    });
    // Oldest first, all before the pusher's clock (2026-03-01): what made each is in its meta.
    const made = async (trigger: BackupTrigger, iso: string) =>
      (
        await createBackup({
          dataDir: setup.dataDir,
          destination: { kind: 'directory', backupDir: setup.backupDir },
          trigger,
          now: new Date(iso),
        })
      ).fileName;
    const manual = await made('manual', '2026-02-01T03:00:00Z');
    const preRestore = await made('pre-restore', '2026-02-02T03:00:00Z');
    const scheduled = [await made('scheduled', '2026-02-10T03:00:00Z'), await made('scheduled', '2026-02-20T03:00:00Z')];
    const push = async (fileName: string) => {
      const { jobs } = await api.targets.push({ fileName, id: target.id });
      return finished(setup.services.jobs, jobs[0]!);
    };
    for (const fileName of [manual, preRestore, scheduled[0]!]) expect(await push(fileName)).toMatchObject({ result: { pruned: [] } });
    // keepLast 1 counts only the scheduled copies: the older one goes, the manual and pre-restore ones stay.
    expect(await push(scheduled[1]!)).toMatchObject({ state: 'succeeded', result: { pruned: [scheduled[0]] } });
    expect(remoteNames(dir)).toEqual([manual, preRestore, scheduled[1]].sort());

    // Including manual copies: the manual one is counted and goes; a pre-restore copy always stays.
    await api.targets.update({
      id: target.id,
      ...sftpDraft(dir, { sealed: false }),
      retention: { keepLast: 1, includeManual: true },
      hostKeyFingerprint: sshd.hostKeyFingerprint,
    });
    expect((await api.targets.list()).targets[0]!.retention).toEqual({ keepLast: 1, includeManual: true });
    const newest = await made('scheduled', '2026-02-25T03:00:00Z');
    expect(await push(newest)).toMatchObject({ state: 'succeeded', result: { pruned: [scheduled[1], manual] } });
    expect(remoteNames(dir)).toEqual([preRestore, newest].sort());
  });

  it('cancels a running push: nothing under the final name, no failure recorded, no retry', async () => {
    const { setup, api, clock } = await instance();
    const dir = remoteDir('cancel');
    const target = await api.targets.add({ ...sftpDraft(dir, { sealed: false }), hostKeyFingerprint: sshd.hostKeyFingerprint });
    const big = 'docsight_backup_2024-03-01_120000.tar.gz';
    const file = fs.openSync(path.join(setup.backupDir, big), 'w');
    const chunk = Buffer.alloc(4 * 1024 * 1024, 7);
    for (let i = 0; i < 16; i++) fs.writeSync(file, chunk);
    fs.closeSync(file);

    const { jobs } = await api.targets.push({ fileName: big, id: target.id });
    const job = jobs[0]!;
    await expect.poll(() => setup.services.jobs.get(job.id)?.progress?.bytesDone ?? 0, { timeout: 20_000 }).toBeGreaterThan(0);
    expect((await api.targets.list()).targets[0]!.state.pushing).toBe(true);
    await api.jobs.cancel({ id: job.id });
    const final = await finished(setup.services.jobs, job.id);
    expect(final).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    expect(fs.existsSync(path.join(dir, big))).toBe(false);
    await expect.poll(() => remoteNames(dir).filter((name) => name.startsWith(TARGET_TEMP_PREFIX)), { timeout: 10_000 }).toEqual([]);
    expect((await api.targets.list()).targets[0]!.state).toMatchObject({ lastFailure: null, nextTryAt: null, pushing: false });
    expect(clock.armed).toBe(0);
    expect(fs.statSync(path.join(setup.backupDir, big)).size).toBe(64 * 1024 * 1024);
  }, 60_000);
});
