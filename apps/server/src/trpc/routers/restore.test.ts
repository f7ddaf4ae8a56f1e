import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createBackup, decryptSecret, hashPassword, readBackupTrigger } from '@evidence-locker/core';
import type { JobSnapshot } from '../../jobs/job-snapshot.ts';
import type { RestoreJobResult } from '../../restore/restore-job-result.ts';
import {
  FIXTURE_A,
  FIXTURE_A_CONNECTION_SAMPLES,
  FIXTURE_A_MODEM_PASSWORD,
  FIXTURE_A_SNAPSHOTS,
  corruptDatabaseArchive,
  directoryPicture,
  finished,
  stagedUploads,
} from '@evidence-locker/server/testing/restore-support';
import { createTestContext, createTestServices, type TestServices } from '@evidence-locker/server/testing/test-services';
import { docsightFixture } from '@evidence-locker/core/testing';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);

/** Stages `source` (default: the real DOCSight fixture) as an upload, as POST /api/uploads does. */
async function stage(setup: TestServices, source: string | Buffer = FIXTURE_A): Promise<string> {
  const id = setup.services.uploads.newUploadId();
  const body = typeof source === 'string' ? fs.createReadStream(source) : Readable.from([source]);
  await setup.services.uploads.receive(id, body);
  return id;
}

function resultOf(job: JobSnapshot): RestoreJobResult {
  expect(job.error).toBeNull();
  expect(job.state).toBe('succeeded');
  return job.result as RestoreJobResult;
}

describe('restore router', () => {
  it('shows the validation of an upload, and NOT_FOUND for an unknown one', async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    const uploadId = await stage(setup);
    const info = await caller.restore.uploaded({ uploadId });
    expect(info).toMatchObject({ uploadId, size: fs.statSync(FIXTURE_A).size, validation: { has_database: true, has_config: true } });
    expect(info.validation.meta.tables?.['snapshots']).toBe(FIXTURE_A_SNAPSHOTS);
    await expect(caller.restore.uploaded({ uploadId: '6f1d7c1e-5b0a-4c1e-9d7e-1a2b3c4d5e6f' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'This upload has expired or was already used; upload the file again.',
    });
  });

  it("previews a demo instance's backup as the restore then leaves it: out of demo mode, not configured", async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    const uploadId = await stage(setup, docsightFixture('b-demo-1m').archive);
    const info = await caller.restore.uploaded({ uploadId });
    expect(info.validation.has_config).toBe(true);
    expect(info.restoredConfig).toEqual({ configured: false, modem: false, leavesDemoMode: true, adminPassword: false });
    const result = resultOf(await finished(setup.services.jobs, await caller.restore.start({ uploadId })));
    expect(result.configured).toBe(info.restoredConfig?.configured);
    expect(result.warnings.map((warning) => warning.code)).toContain('DEMO_MODE_LEFT');
    expect((await caller.setup.state()).configured).toBe(false);
  });

  it('previews a configured backup with its modem, as the restore gives it', async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    const info = await caller.restore.uploaded({ uploadId: await stage(setup) });
    expect(info.restoredConfig).toEqual({ configured: true, modem: true, leavesDemoMode: false, adminPassword: false });
  });

  it('restores the DOCSight fixture by upload id: rows, decryptable secrets, no restart, staged file gone', async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    const uploadId = await stage(setup);
    const job = await caller.restore.start({ uploadId });
    expect(job).toMatchObject({ kind: 'restore', label: 'Restore of an uploaded backup' });
    const phases = new Set<string>();
    for await (const snapshot of setup.services.jobs.watch(job.id)) if (snapshot.progress) phases.add(snapshot.progress.phase);
    const result = resultOf(await finished(setup.services.jobs, job));
    // The upload was read, staged and verified as it arrived: the restore only publishes.
    expect([...phases]).toEqual(['verify', 'publish']);
    expect(result).toMatchObject({
      // The archive's .session_key and .auth_state are replaced by fresh ones, published with the rest.
      restoredFiles: ['connection_monitor.db', 'docsis_history.db', 'config.json', '.config_key'],
      removedFiles: [],
      configured: true,
      needsLogin: false,
      // A fresh instance holds nothing worth keeping.
      preRestoreBackup: null,
      meta: { magic: 'docsight-backup', app_version: 'v2026-08-21.1' },
    });

    const summary = await caller.dashboard.summary();
    expect(summary.databases.history.tables?.['snapshots']).toBe(FIXTURE_A_SNAPSHOTS);
    expect(summary.databases.connectionMonitor.tables?.['connection_samples']).toBe(FIXTURE_A_CONNECTION_SAMPLES);
    expect(summary.modem?.type).toBeTruthy();
    // The instance's own handles see the restored rows too (reopened, no restart).
    expect(setup.services.instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: FIXTURE_A_SNAPSHOTS });
    const { config, configKey } = setup.services.instance.snapshot;
    expect(decryptSecret(configKey, config['modem_password'])).toBe(FIXTURE_A_MODEM_PASSWORD);
    expect(stagedUploads(setup.dataDir)).toEqual([]);
    // Used once: a second start with the same id is refused.
    await expect(caller.restore.start({ uploadId })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'This upload has expired or was already used; upload the file again.',
    });
  });

  it('on a running configured instance writes a pre-restore backup, logs everyone out, and serves the archive', async () => {
    // The archive: another instance with its own admin password and modem.
    const source = await createTestServices({ config: { modem_type: 'fritzbox', admin_password: await hashPassword('archive password') } });
    const archive = await createBackup({
      dataDir: source.dataDir,
      destination: { kind: 'directory', backupDir: source.backupDir },
      trigger: 'manual',
    });

    const target = await createTestServices({ config: { modem_type: 'tc4400', admin_password: await hashPassword('instance password') } });
    target.services.instance.historyDb
      .prepare("INSERT INTO journal_entries (date, title, created_at, updated_at) VALUES ('2026-01-01', 'mine', 'x', 'x')")
      .run();
    const login = createTestContext(target.services);
    await createCaller(login.ctx).auth.login({ password: 'instance password' });
    const session = login.cookie.value;
    expect(session).toBeDefined();
    const caller = createCaller(createTestContext(target.services, { sessionToken: session! }).ctx);
    const anonymous = createCaller(createTestContext(target.services).ctx);

    const uploadId = await stage(target, archive.path);
    await expect(anonymous.restore.start({ uploadId })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const result = resultOf(await finished(target.services.jobs, await caller.restore.start({ uploadId })));

    expect(result.needsLogin).toBe(true);
    expect(result.configured).toBe(true);
    expect(result.preRestoreBackup).toMatchObject({ fileName: expect.stringMatching(/^docsight_backup_.*\.tar\.gz$/) });
    const preRestorePath = path.join(target.backupDir, result.preRestoreBackup!.fileName);
    expect(await readBackupTrigger(preRestorePath)).toBe('pre-restore');

    // The data is the archive's: its modem, no journal entry of the target.
    expect(target.services.instance.snapshot.config['modem_type']).toBe('fritzbox');
    expect(target.services.instance.historyDb.prepare('SELECT count(*) AS n FROM journal_entries').get()).toEqual({ n: 0 });
    // The session of the client that ran the restore is gone like everyone else's.
    await expect(caller.dashboard.summary()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(createCaller(createTestContext(target.services).ctx).auth.login({ password: 'instance password' })).rejects.toThrow();
    const relogin = createTestContext(target.services);
    await createCaller(relogin.ctx).auth.login({ password: 'archive password' });
    const fresh = createCaller(createTestContext(target.services, { sessionToken: relogin.cookie.value! }).ctx);
    expect((await fresh.dashboard.summary()).modem?.type).toBe('fritzbox');
  });

  it('invalidates old session cookies even when the restored admin password is the same (fresh session key)', async () => {
    const setup = await createTestServices({ config: { modem_type: 'tc4400', admin_password: await hashPassword('instance password') } });
    const own = await createBackup({
      dataDir: setup.dataDir,
      destination: { kind: 'directory', backupDir: setup.backupDir },
      trigger: 'manual',
    });
    const login = createTestContext(setup.services);
    await createCaller(login.ctx).auth.login({ password: 'instance password' });
    const caller = createCaller(createTestContext(setup.services, { sessionToken: login.cookie.value! }).ctx);
    const keyBefore = setup.services.instance.snapshot.sessionKey;

    const result = resultOf(await finished(setup.services.jobs, await caller.restore.start({ fileName: own.fileName })));
    expect(result.needsLogin).toBe(true);
    expect(setup.services.instance.snapshot.sessionKey.equals(keyBefore)).toBe(false);
    await expect(caller.dashboard.summary()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const relogin = createTestContext(setup.services);
    await createCaller(relogin.ctx).auth.login({ password: 'instance password' });
    expect(relogin.cookie.value).toBeDefined();
  });

  it('refuses an expired upload with a clear message', async () => {
    let now = Date.parse('2026-05-01T10:00:00Z');
    const setup = await createTestServices({ uploads: { ttlMs: 60 * 60_000, now: () => now } });
    const caller = createCaller(createTestContext(setup.services).ctx);
    const uploadId = await stage(setup);
    now += 60 * 60_000;
    await expect(caller.restore.start({ uploadId })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'This upload has expired or was already used; upload the file again.',
    });
    expect(setup.services.jobs.list()).toEqual([]);
  });

  it("refuses a second restore while one runs with the runner's message, keeping the second upload", async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    const first = await stage(setup);
    const second = await stage(setup);
    const running = await caller.restore.start({ uploadId: first });
    await expect(caller.restore.start({ uploadId: second })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/^A restore is already in progress \(Restore of an uploaded backup\); wait for it to finish\.$/),
    });
    expect(resultOf(await finished(setup.services.jobs, running)).configured).toBe(true);
    expect((await caller.restore.uploaded({ uploadId: second })).uploadId).toBe(second);
  });

  it('reads the uploaded archive file again when its prepared members were swept (a restart in between)', async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    const uploadId = await stage(setup);
    for (const name of fs.readdirSync(setup.dataDir).filter((entry) => entry.startsWith('.evidence-locker-prepared-'))) {
      fs.rmSync(path.join(setup.dataDir, name));
    }
    const phases = new Set<string>();
    const job = await caller.restore.start({ uploadId });
    for await (const snapshot of setup.services.jobs.watch(job.id)) if (snapshot.progress) phases.add(snapshot.progress.phase);
    const result = resultOf(await finished(setup.services.jobs, job));
    expect([...phases]).toEqual(expect.arrayContaining(['read', 'verify', 'publish']));
    expect(result.restoredFiles).toContain('docsis_history.db');
    expect(setup.services.instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: FIXTURE_A_SNAPSHOTS });
    expect(stagedUploads(setup.dataDir)).toEqual([]);
  });

  it("refuses an upload whose database fails verification, and fails a stored backup's restore job with the same message", async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const caller = createCaller(createTestContext(setup.services).ctx);
    const before = directoryPicture(setup.dataDir);
    const verdict = {
      code: 'DATABASE_CORRUPT',
      message: expect.stringMatching(/^Restored database failed (verification|integrity check): docsis_history\.db/),
    };
    // Uploaded: the integrity check runs before the upload is accepted, so nothing can be restored.
    await expect(stage(setup, corruptDatabaseArchive())).rejects.toMatchObject(verdict);
    expect(directoryPicture(setup.dataDir)).toEqual(before);
    // Stored: the restore job reads, checks and refuses it.
    const fileName = 'docsight_backup_2026-01-01_000000.tar.gz';
    fs.writeFileSync(path.join(setup.backupDir, fileName), corruptDatabaseArchive());
    const job = await finished(setup.services.jobs, await caller.restore.start({ fileName }));
    expect(job.state).toBe('failed');
    expect(job.error).toEqual({ ...verdict, details: expect.objectContaining({ name: 'docsis_history.db' }) });
    expect(directoryPicture(setup.dataDir)).toEqual(before);
    expect(setup.services.instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: 0 });
    expect(fs.readdirSync(setup.backupDir)).toEqual([fileName]);
  });

  it('restores a stored backup by file name, which needs a session when an admin password is set', async () => {
    const setup = await createTestServices({ config: { modem_type: 'tc4400', admin_password: await hashPassword('instance password') } });
    fs.copyFileSync(FIXTURE_A, path.join(setup.backupDir, path.basename(FIXTURE_A)));
    const anonymous = createCaller(createTestContext(setup.services).ctx);
    await expect(anonymous.restore.start({ fileName: path.basename(FIXTURE_A) })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    const login = createTestContext(setup.services);
    await createCaller(login.ctx).auth.login({ password: 'instance password' });
    const caller = createCaller(createTestContext(setup.services, { sessionToken: login.cookie.value! }).ctx);
    await expect(caller.restore.start({ fileName: '../config.json' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(caller.restore.start({ fileName: 'docsight_backup_2020-01-01_000000.tar.gz' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Backup not found: docsight_backup_2020-01-01_000000.tar.gz.',
    });
    const result = resultOf(await finished(setup.services.jobs, await caller.restore.start({ fileName: path.basename(FIXTURE_A) })));
    expect(result.needsLogin).toBe(false);
    expect(result.preRestoreBackup).not.toBeNull();
    expect(fs.existsSync(path.join(setup.backupDir, path.basename(FIXTURE_A)))).toBe(true);
    const counts = await setup.services.instance.readDashboardCounts();
    expect(counts.history.tables?.['snapshots']).toBe(FIXTURE_A_SNAPSHOTS);
  });

  it('counts restores on an unconfigured instance, 5 an hour per address, and gives back one that could not start', async () => {
    const setup = await createTestServices();
    const { ctx, logLines } = createTestContext(setup.services, { clientAddress: '203.0.113.5' });
    const caller = createCaller(ctx);
    // Unknown uploads: refused, and each given back, so none of them uses up the budget.
    for (let i = 0; i < 8; i++) {
      await expect(caller.restore.start({ uploadId: crypto.randomUUID() })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    for (let i = 0; i < 5; i++) expect(setup.services.setupLimiter.consume('restore', '203.0.113.5').allowed).toBe(true);
    const uploadId = await stage(setup);
    await expect(caller.restore.start({ uploadId })).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: 'Too many restores from your address: 5 in the last hour. Try again in 60 minutes.',
    });
    expect(logLines).toContainEqual(
      expect.objectContaining({ fields: expect.objectContaining({ audit: 'restore.refused', ip: '203.0.113.5', reason: 'rate limit' }) }),
    );
    // The upload is still there for when the wait is over, and another address has its own budget.
    expect(setup.services.uploads.get(uploadId)).toBeDefined();
    const other = createCaller(createTestContext(setup.services, { clientAddress: '203.0.113.6' }).ctx);
    expect(resultOf(await finished(setup.services.jobs, await other.restore.start({ uploadId })))).toMatchObject({ configured: true });
  });

  it('discards an upload on request', async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    const uploadId = await stage(setup);
    expect(await caller.restore.discard({ uploadId })).toEqual({ discarded: true });
    expect(stagedUploads(setup.dataDir)).toEqual([]);
    expect(await caller.restore.discard({ uploadId })).toEqual({ discarded: false });
  });
});
