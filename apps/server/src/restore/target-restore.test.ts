/**
 * Restores straight from an offsite target (issue 18), against a real OpenSSH sshd on loopback:
 * the setup wizard's "From offsite storage" on a fresh instance (list, host key accepted, restore a
 * sealed copy with the recovery kit, the target kept in the restored config), a running instance
 * restoring a copy of a stored target, the raw download of a copy, the refusals that leave the live
 * data byte-identical, and the server's memory while a ~100 MB copy streams in.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import {
  BACKUP_TARGETS_KEY,
  createBackup,
  generateSealIdentity,
  openTarget,
  readConfig,
  readConfigKey,
  readSealSettings,
  readTargets,
  restoreDataDir,
  sealSettingsPatch,
  updateConfig,
  type TargetConfig,
} from '@evidence-locker/core';
import { startSshd, type StartedSshd } from '@evidence-locker/test-servers/sshd';
import { freePort } from '@evidence-locker/test-servers/free-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_A, directoryPicture, finished } from '@evidence-locker/server/testing/restore-support';
import { createTestContext, createTestServices, type TestServices } from '@evidence-locker/server/testing/test-services';
import { listenTestApp, serveTestApp } from '@evidence-locker/server/testing/serve-test-app';
import type { JobSnapshot } from '../jobs/job-snapshot.ts';
import { recoveryKit } from '../seal/recovery-kit.ts';
import { changeInstanceTargets } from '../targets/instance-targets.ts';
import { draftTarget, type TargetDraft } from '../targets/target-draft.ts';
import { createCallerFactory } from '../trpc/init.ts';
import { appRouter } from '../trpc/routers/_app.ts';
import type { RestoreJobResult } from './restore-job-result.ts';
import { restoreRunningInstance } from './restore-running-instance.ts';

const createCaller = createCallerFactory(appRouter);
// The server's own SQLite binding (its types are not installed).
const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => {
  exec(sql: string): void;
  prepare(sql: string): { run(...values: unknown[]): void };
  close(): void;
};
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'el-target-restore-'));
let sshd: StartedSshd;
let copiesDir: string;
let kitText: string;
let sealedName: string;
let plainName: string;
let sealedSize: number;

type DraftInput = Omit<Partial<TargetDraft>, 'address'> & { address: TargetDraft['address'] };

function draft(extra: Partial<DraftInput> = {}): DraftInput {
  return {
    name: 'NAS in the basement',
    address: { kind: 'sftp', host: '127.0.0.1', port: sshd.port, username: 'root', directory: copiesDir },
    secrets: { privateKey: sshd.privateKey },
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    ...extra,
  };
}

/**
 * The data directory's files and their hashes, without SQLite's `-shm` files: the WAL index any
 * reader rewrites (the pre-restore checks open the databases), derived from the database and its
 * WAL, which are compared.
 */
function livePicture(dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(directoryPicture(dir)).filter(([name]) => !name.endsWith('-shm')));
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A rejection's LockerError code and details (through tRPC's error: its cause). */
async function refusedWith(promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  const error = (await promise.then(
    () => null,
    (caught: unknown) => caught,
  )) as { cause?: { code?: string; details?: Record<string, unknown> }; code?: string } | null;
  expect(error, 'expected a refusal').not.toBeNull();
  return { code: error?.cause?.code ?? String(error?.code), details: error?.cause?.details ?? {} };
}

function resultOf(job: JobSnapshot): RestoreJobResult {
  expect(job.error).toBeNull();
  expect(job.state).toBe('succeeded');
  return job.result as RestoreJobResult;
}

/** A configured instance holding the DOCSight fixture, as a running instance would. */
async function configuredInstance(): Promise<TestServices> {
  const setup = await createTestServices();
  await restoreRunningInstance({ instance: setup.services.instance, archivePath: FIXTURE_A });
  return setup;
}

/** Stores `draft` as a target of `setup`'s instance. */
async function storeTarget(setup: TestServices, input: DraftInput): Promise<TargetConfig> {
  const target = draftTarget(input as TargetDraft);
  await changeInstanceTargets(setup.services.instance, (targets) => ({ targets: [...targets, target], answer: undefined }));
  return target;
}

beforeAll(async () => {
  sshd = await startSshd({ passwordUser: false });
  copiesDir = path.join(sshd.rootDir, 'copies');
  fs.mkdirSync(copiesDir);
  // The instance the copies came from: the DOCSight fixture, sealing its backups with a key.
  const source = path.join(temp, 'source');
  const sourceBackups = path.join(temp, 'source-backups');
  fs.mkdirSync(sourceBackups);
  await restoreDataDir({ source: fs.createReadStream(FIXTURE_A), dataDir: source, backupDir: sourceBackups });
  const key = await generateSealIdentity();
  const createdAt = new Date().toISOString();
  const current = readSealSettings((await readConfig(source)).config, await readConfigKey(source));
  await updateConfig(source, sealSettingsPatch({ mode: 'identity', identity: key.identity, recipient: key.recipient, createdAt }, current));
  kitText = (await recoveryKit({ key: { identity: key.identity }, keyCreatedAt: createdAt, hostname: 'old-box', dataDir: source })).text;
  const sealed = await createBackup({
    dataDir: source,
    destination: { kind: 'directory', backupDir: sourceBackups },
    trigger: 'manual',
    now: new Date(2026, 0, 2, 3, 4, 5),
    seal: { recipients: [key.recipient] },
  });
  const plain = await createBackup({
    dataDir: source,
    destination: { kind: 'directory', backupDir: sourceBackups },
    trigger: 'manual',
    now: new Date(2025, 11, 30, 1, 2, 3),
  });
  sealedName = sealed.fileName;
  plainName = plain.fileName;
  sealedSize = sealed.size;
  fs.copyFileSync(path.join(sourceBackups, sealedName), path.join(copiesDir, sealedName));
  fs.copyFileSync(path.join(sourceBackups, plainName), path.join(copiesDir, plainName));
  // Not backups: a target's temp file and a stranger.
  fs.writeFileSync(path.join(copiesDir, '.evidence-locker-upload-0123abcd'), 'half a copy');
  fs.writeFileSync(path.join(copiesDir, 'notes.txt'), 'not a backup');
}, 180_000);

afterAll(async () => {
  await sshd?.stop();
  fs.rmSync(temp, { recursive: true, force: true });
});

describe('the setup wizard: From offsite storage', () => {
  it('lists an SFTP target after its host key is accepted, restores a sealed copy with the kit with progress, and keeps the target', async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    const unknown = await refusedWith(caller.setup.offsiteBackups({ target: draft({ hostKeyFingerprint: null }) }));
    expect(unknown).toMatchObject({ code: 'TARGET_HOST_KEY_UNKNOWN', details: { fingerprint: sshd.hostKeyFingerprint } });

    const { entries } = await caller.setup.offsiteBackups({
      target: draft({ hostKeyFingerprint: unknown.details['fingerprint'] as string }),
    });
    expect(entries.map((entry) => [entry.name, entry.sealed])).toEqual([
      [sealedName, true],
      [plainName, false],
    ]);
    expect(entries[0]).toMatchObject({ size: sealedSize, ownedHere: false });

    const job = await caller.restore.start({ offsite: { target: draft(), name: sealedName }, key: { identity: kitText } });
    expect(job.label).toContain(sealedName);
    const read: Array<{ done: number; total: number | null }> = [];
    for await (const snapshot of setup.services.jobs.watch(job.id)) {
      if (snapshot.progress?.phase === 'read')
        read.push({ done: snapshot.progress.bytesDone, total: snapshot.progress.bytesTotal ?? null });
    }
    const result = resultOf(await finished(setup.services.jobs, job));
    expect(read.length).toBeGreaterThan(0);
    expect(read.every((step) => step.total === sealedSize)).toBe(true);
    expect(read.at(-1)?.done).toBe(sealedSize);
    expect(result.configured).toBe(true);
    expect(result.offsiteTarget).toMatchObject({ name: 'NAS in the basement', added: true, problem: null });

    // The restored instance holds the target, its secret readable with the RESTORED .config_key.
    const state = await caller.setup.state();
    expect(state.configured).toBe(true);
    const { config, configKey } = setup.services.instance.snapshot;
    expect(JSON.stringify(config[BACKUP_TARGETS_KEY])).not.toContain('BEGIN OPENSSH PRIVATE KEY');
    const { targets, problems } = readTargets(config, configKey);
    expect(problems).toEqual([]);
    expect(targets).toHaveLength(1);
    const kept = targets[0]!;
    expect(kept).toMatchObject({
      id: result.offsiteTarget?.id,
      kind: 'sftp',
      enabled: true,
      sealed: true,
      port: sshd.port,
      directory: copiesDir,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
    });
    expect(kept.secrets).toEqual({ privateKey: sshd.privateKey });
    // The restored instance seals with the restored key, so its pushes there can be sealed; and it reaches the target.
    expect(readSealSettings(config, configKey).mode).toBe('identity');
    const reopened = await openTarget(kept);
    try {
      expect((await reopened.list()).map((entry) => entry.name)).toContain(sealedName);
    } finally {
      await reopened.close();
    }
  }, 120_000);

  it('refuses a wrong key, a missing copy and an unreachable target, leaving the fresh instance empty', async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    const before = livePicture(setup.dataDir);
    const other = await generateSealIdentity();
    const wrong = await finished(
      setup.services.jobs,
      await caller.restore.start({ offsite: { target: draft(), name: sealedName }, key: { identity: other.identity } }),
    );
    expect(wrong.state).toBe('failed');
    expect(wrong.error?.code).toBe('SEAL_WRONG_IDENTITY');
    expect(livePicture(setup.dataDir)).toEqual(before);

    expect(
      await refusedWith(caller.restore.start({ offsite: { target: draft(), name: 'docsight_backup_2020-01-01_000000.tar.gz' } })),
    ).toMatchObject({
      code: 'TARGET_OBJECT_MISSING',
    });
    const closed = await freePort();
    const unreachable = draft({ address: { kind: 'sftp', host: '127.0.0.1', port: closed, username: 'root', directory: copiesDir } });
    expect(await refusedWith(caller.restore.start({ offsite: { target: unreachable, name: sealedName } }))).toMatchObject({
      code: 'TARGET_UNREACHABLE',
    });
    expect(await refusedWith(caller.setup.offsiteBackups({ target: unreachable }))).toMatchObject({ code: 'TARGET_UNREACHABLE' });
    expect(await refusedWith(caller.restore.start({ offsite: { target: draft(), name: '../etc/passwd' } }))).toMatchObject({
      code: 'BACKUP_NAME_INVALID',
    });
    expect(livePicture(setup.dataDir)).toEqual(before);
    expect(setup.services.instance.snapshot.configured).toBe(false);
    // Refused before anything started: none of these counted against the address's 5 restores.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(
        await refusedWith(caller.restore.start({ offsite: { target: draft(), name: 'docsight_backup_2020-01-01_000000.tar.gz' } })),
      ).toMatchObject({
        code: 'TARGET_OBJECT_MISSING',
      });
    }
  }, 120_000);
});

describe('a running instance', () => {
  it('restores a copy of a stored target with a pre-restore backup, keeping the target it came from', async () => {
    const setup = await configuredInstance();
    const stored = await storeTarget(setup, draft({ name: 'Storage box' }));
    const caller = createCaller(createTestContext(setup.services).ctx);
    const job = await caller.restore.start({ target: { id: stored.id }, name: plainName });
    const result = resultOf(await finished(setup.services.jobs, job));
    expect(result.preRestoreBackup).not.toBeNull();
    expect(fs.existsSync(path.join(setup.services.instance.backupPath, result.preRestoreBackup!.fileName))).toBe(true);
    expect(result.offsiteTarget).toMatchObject({ id: stored.id, name: 'Storage box', added: true });
    expect(result.restoredFiles).toContain('docsis_history.db');
    const { targets } = readTargets(setup.services.instance.snapshot.config, setup.services.instance.snapshot.configKey);
    expect(targets.map((target) => [target.id, target.enabled, target.unusable])).toEqual([[stored.id, true, undefined]]);
  }, 120_000);

  it('refuses a wrong key, a missing copy, an unreachable and an unknown target with the live data byte-identical', async () => {
    const setup = await configuredInstance();
    const stored = await storeTarget(setup, draft());
    const closed = await freePort();
    const away = await storeTarget(
      setup,
      draft({ name: 'Gone', address: { kind: 'sftp', host: '127.0.0.1', port: closed, username: 'root', directory: copiesDir } }),
    );
    const caller = createCaller(createTestContext(setup.services).ctx);
    const before = livePicture(setup.dataDir);
    const backupsBefore = fs.readdirSync(setup.services.instance.backupPath);

    const other = await generateSealIdentity();
    const wrong = await finished(
      setup.services.jobs,
      await caller.restore.start({ target: { id: stored.id }, name: sealedName, key: { identity: other.identity } }),
    );
    expect(wrong.error?.code).toBe('SEAL_WRONG_IDENTITY');
    // Without a key: the instance holds none for it.
    const noKey = await finished(setup.services.jobs, await caller.restore.start({ target: { id: stored.id }, name: sealedName }));
    expect(noKey.error?.code).toBe('SEAL_KEY_REQUIRED');
    expect(
      await refusedWith(caller.restore.start({ target: { id: stored.id }, name: 'docsight_backup_2020-01-01_000000.tar.gz' })),
    ).toMatchObject({ code: 'TARGET_OBJECT_MISSING' });
    expect(await refusedWith(caller.restore.start({ target: { id: away.id }, name: plainName }))).toMatchObject({
      code: 'TARGET_UNREACHABLE',
    });
    expect(await refusedWith(caller.restore.start({ target: { id: crypto.randomUUID() }, name: plainName }))).toMatchObject({
      code: 'TARGET_NOT_FOUND',
    });
    expect(livePicture(setup.dataDir)).toEqual(before);
    expect(fs.readdirSync(setup.services.instance.backupPath)).toEqual(backupsBefore);
  }, 120_000);
});

describe('GET /api/targets/:id/copies/:name', () => {
  it('streams a copy byte-identical with its size and name, and refuses what is not a backup of a known target', async () => {
    const { app, setup } = await serveTestApp();
    const stored = await storeTarget(setup, draft());
    const response = await app.inject({ method: 'GET', url: `/api/targets/${stored.id}/copies/${sealedName}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(sealedSize));
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${sealedName}"`);
    expect(createHash('sha256').update(response.rawPayload).digest('hex')).toBe(sha256(path.join(copiesDir, sealedName)));

    const temp = await app.inject({ method: 'GET', url: `/api/targets/${stored.id}/copies/.evidence-locker-upload-0123abcd` });
    expect([temp.statusCode, temp.json().error.code]).toEqual([400, 'BACKUP_NAME_INVALID']);
    const missing = await app.inject({ method: 'GET', url: `/api/targets/${stored.id}/copies/docsight_backup_2020-01-01_000000.tar.gz` });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'TARGET_OBJECT_MISSING']);
    const unknown = await app.inject({ method: 'GET', url: `/api/targets/${crypto.randomUUID()}/copies/${sealedName}` });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'TARGET_NOT_FOUND']);
  }, 60_000);
  it('ends the download from the target when the client goes away mid-stream', async () => {
    const { url, setup } = await listenTestApp();
    const stored = await storeTarget(setup, draft());
    // Only bytes are streamed here, so any 64 MB under a backup's name will do: far more than the
    // sockets between sshd, the server and the client can buffer.
    const name = 'docsight_backup_2024-02-03_040506.tar.gz';
    fs.writeFileSync(path.join(copiesDir, name), randomBytes(64 * 1024 * 1024));
    try {
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get(`${url}/api/targets/${stored.id}/copies/${name}`, resolve).on('error', reject);
      });
      expect(response.statusCode).toBe(200);
      await new Promise((resolve) => response.once('data', resolve));
      response.pause();
      // The copy is flowing: sshd has the server's session open.
      expect(sshd.connectionPids().length).toBeGreaterThan(0);
      response.destroy();
      await expect.poll(() => sshd.connectionPids().length, { timeout: 20_000, interval: 100 }).toBe(0);
    } finally {
      fs.rmSync(path.join(copiesDir, name), { force: true });
    }
  }, 60_000);
});

describe('memory', () => {
  it('restores a ~100 MB copy from the target with the server memory flat', async () => {
    // A data directory whose backup is ~100 MB of incompressible bytes.
    const big = path.join(temp, 'big');
    const bigBackups = path.join(temp, 'big-backups');
    fs.mkdirSync(bigBackups);
    await restoreDataDir({ source: fs.createReadStream(FIXTURE_A), dataDir: big, backupDir: bigBackups });
    const db = new Database(path.join(big, 'docsis_history.db'));
    db.exec('CREATE TABLE ballast (chunk BLOB)');
    const insert = db.prepare('INSERT INTO ballast (chunk) VALUES (?)');
    for (let i = 0; i < 100; i += 1) insert.run(randomBytes(1024 * 1024));
    db.close();
    const backup = await createBackup({
      dataDir: big,
      destination: { kind: 'directory', backupDir: bigBackups },
      trigger: 'manual',
      now: new Date(2024, 5, 6, 7, 8, 9),
    });
    expect(backup.size).toBeGreaterThan(100_000_000);
    fs.renameSync(path.join(bigBackups, backup.fileName), path.join(copiesDir, backup.fileName));

    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 25);
    const started = Date.now();
    try {
      const job = await caller.restore.start({ offsite: { target: draft(), name: backup.fileName } });
      resultOf(await finished(setup.services.jobs, job));
    } finally {
      clearInterval(sampler);
      fs.rmSync(path.join(copiesDir, backup.fileName), { force: true });
    }
    const seconds = (Date.now() - started) / 1000;
    const growthMb = (peak - baseline) / 1024 / 1024;
    console.log(
      `restore of a ${(backup.size / 1e6).toFixed(0)} MB copy over SFTP: ${seconds.toFixed(1)} s, ${(backup.size / 1e6 / seconds).toFixed(1)} MB/s, peak RSS growth ${growthMb.toFixed(1)} MB`,
    );
    expect(growthMb).toBeLessThan(60);
  }, 300_000);
});
