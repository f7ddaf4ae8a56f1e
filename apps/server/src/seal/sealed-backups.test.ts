/**
 * Sealed backups through the built server: Backup now and the download seal with the instance's
 * key, the uploads open sealed archives in one pass (or refuse them with their own code and leave
 * everything as it was), and a restored sealed instance keeps sealing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { generateSealIdentity, identityFileText, openSealedStream, parseIdentityText, validateArchiveFile } from '@evidence-locker/core';
import { ensureAgeCli, run } from '@evidence-locker/core/testing/age-cli';
import { sealBytes } from '@evidence-locker/core/testing/sealed-bytes';
import { directoryPicture, finished, FIXTURE_A, stagedUploads } from '@evidence-locker/server/testing/restore-support';
import { serveTestApp } from '@evidence-locker/server/testing/serve-test-app';
import { createTestContext } from '@evidence-locker/server/testing/test-services';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCallerFactory } from '../trpc/init.ts';
import { appRouter } from '../trpc/routers/_app.ts';

const createCaller = createCallerFactory(appRouter);
const FIXTURE = fs.readFileSync(FIXTURE_A);
const SEALED_NAME = 'docsight_backup_2026-01-15_080000.tar.gz.age';

const api = (app: FastifyInstance) => createCaller(createTestContext(app.locker, { clientAddress: '192.0.2.70' }).ctx);
const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** A configured instance (no admin password) sealing with a new identity; the kit's text and identity. */
async function sealingInstance() {
  const served = await serveTestApp({ config: { modem_type: 'fritzbox' } });
  const prepared = await api(served.app).seal.prepare({ mode: 'identity' });
  await api(served.app).seal.confirm({ pendingId: prepared.pendingId, kept: true });
  return { ...served, kit: prepared.kit, identity: parseIdentityText(prepared.kit.text)[0]! };
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealed-backups-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function upload(app: FastifyInstance, url: string, payload: Buffer, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    payload,
    remoteAddress: '192.0.2.70',
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });
}

describe('Backup now and downloads while sealing is on', () => {
  it('writes a .tar.gz.age that the kit opens with age -d -i, listed as sealed with its trigger', async () => {
    ensureAgeCli();
    const { app, setup, kit } = await sealingInstance();
    const job = await finished(app.locker.jobs, await api(app).backups.create());
    if (job.kind !== 'backup' || !job.result) throw new Error(`backup failed: ${JSON.stringify(job.error)}`);
    expect(job.result).toMatchObject({
      fileName: expect.stringMatching(/^docsight_backup_\d{4}-\d{2}-\d{2}_\d{6}\.tar\.gz\.age$/),
      sealed: true,
    });
    const stored = path.join(setup.backupDir, job.result.fileName);
    expect(fs.statSync(stored).size).toBe(job.result.size);

    const dir = tempDir();
    fs.writeFileSync(path.join(dir, kit.fileName), kit.text);
    const opened = path.join(dir, job.result.fileName.replace(/\.age$/, ''));
    run('age', ['-d', '-i', path.join(dir, kit.fileName), '-o', opened, stored]);
    const plain = await validateArchiveFile(opened);
    expect(plain.has_config).toBe(true);
    expect(plain.meta.trigger).toBe('manual');

    const listed = await api(app).backups.list();
    expect(listed.backups).toEqual([expect.objectContaining({ fileName: job.result.fileName, sealed: 'identity', trigger: 'manual' })]);

    const download = await app.inject({ method: 'GET', url: `/api/backups/${job.result.fileName}` });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.rawPayload.equals(fs.readFileSync(stored))).toBe(true);
  });

  it('streams ?seal=1 sealed with the instance key, its Content-Length its exact bytes', async () => {
    const { app, identity } = await sealingInstance();
    const response = await app.inject({ method: 'GET', url: '/api/backups/download?seal=1' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="docsight_backup_\d{4}-\d{2}-\d{2}_\d{6}\.tar\.gz\.age"$/,
    );
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(Number(response.headers['content-length'])).toBe(response.rawPayload.length);
    const plain = Buffer.concat(await openSealedStream(Readable.from([response.rawPayload]), { identities: [identity] }).toArray());
    expect(plain.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));

    const unsealed = await app.inject({ method: 'GET', url: '/api/backups/download?seal=0' });
    expect(unsealed.headers['content-disposition']).toMatch(/\.tar\.gz"$/);
    expect(unsealed.headers['content-type']).toBe('application/gzip');
  });

  it('refuses ?seal=1 with SEAL_OFF while sealing is off, and a seal value that means nothing', async () => {
    const { app } = await serveTestApp({ config: { modem_type: 'fritzbox' } });
    const off = await app.inject({ method: 'GET', url: '/api/backups/download?seal=1' });
    expect(off.statusCode).toBe(409);
    expect(off.json()).toMatchObject({ error: { code: 'SEAL_OFF' } });
    const odd = await app.inject({ method: 'GET', url: '/api/backups/download?seal=yes' });
    expect(odd.statusCode).toBe(400);
    expect(odd.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
  });
});

describe('uploading a sealed backup', () => {
  it('validates and restores a sealed DOCSight backup with the kit given, on a fresh instance', async () => {
    const { app, setup } = await serveTestApp();
    const foreign = await generateSealIdentity();
    const sealed = await sealBytes(FIXTURE, { recipients: [foreign.recipient] });
    const kitText = await identityFileText(foreign.identity, ['Evidence Locker recovery kit']);
    const response = await upload(app, '/api/uploads', sealed, {
      'x-archive-name': encodeURIComponent(SEALED_NAME),
      'x-seal-identity': base64(kitText),
    });
    expect(response.statusCode).toBe(200);
    const info = response.json<{ uploadId: string; sealed: string; size: number; validation: { has_database: boolean } }>();
    expect(info).toMatchObject({ sealed: 'identity', size: sealed.length, validation: { has_database: true } });
    expect(await api(app).restore.uploaded({ uploadId: info.uploadId })).toMatchObject({ sealed: 'identity' });

    const job = await finished(app.locker.jobs, await api(app).restore.start({ uploadId: info.uploadId }));
    expect(job).toMatchObject({ state: 'succeeded' });
    expect(setup.services.instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: 2880 });
    expect(stagedUploads(setup.dataDir)).toEqual([]);
  });

  it('refuses without a key, with a wrong key, under a plain name and with a malformed key header, leaving the data dir byte-identical', async () => {
    const { app, setup } = await serveTestApp({ config: { modem_type: 'fritzbox' } });
    const owner = await generateSealIdentity();
    const stranger = await generateSealIdentity();
    const sealed = await sealBytes(FIXTURE, { recipients: [owner.recipient] });
    const before = directoryPicture(setup.dataDir);
    const refusals: Array<[Record<string, string>, number, string, Record<string, unknown>?]> = [
      [{ 'x-archive-name': SEALED_NAME }, 400, 'SEAL_KEY_REQUIRED', { sealedWith: 'identity' }],
      [{ 'x-archive-name': SEALED_NAME, 'x-seal-identity': base64(stranger.identity) }, 400, 'SEAL_WRONG_IDENTITY'],
      [{ 'x-archive-name': 'docsight_backup_2026-01-15_080000.tar.gz', 'x-seal-identity': base64(owner.identity) }, 400, 'ARCHIVE_SEALED'],
      [{ 'x-seal-identity': 'not base64!' }, 400, 'SEAL_KEY_INVALID'],
      [{ 'x-seal-identity': base64('age1 is not an identity') }, 400, 'SEAL_KEY_INVALID'],
      [{ 'x-seal-passphrase': base64('x'), 'x-seal-identity': base64(owner.identity) }, 400, 'SEAL_KEY_INVALID'],
    ];
    for (const [headers, status, code, details] of refusals) {
      const response = await upload(app, '/api/uploads', sealed, headers);
      expect({ status: response.statusCode, code: response.json<{ error: { code: string } }>().error.code }).toEqual({ status, code });
      if (details) expect(response.json()).toMatchObject({ error: { details } });
      expect(directoryPicture(setup.dataDir)).toEqual(before);
      expect(stagedUploads(setup.dataDir)).toEqual([]);
    }
    // A sealed file cut short: its own code, and nothing kept.
    const cut = await upload(app, '/api/uploads', sealed.subarray(0, sealed.length - 100), {
      'x-archive-name': SEALED_NAME,
      'x-seal-identity': base64(owner.identity),
    });
    expect(cut.statusCode).toBe(400);
    expect(cut.json()).toMatchObject({ error: { code: 'SEAL_TRUNCATED' } });
    expect(directoryPicture(setup.dataDir)).toEqual(before);
  });

  it('opens a passphrase-sealed upload with X-Seal-Passphrase, and says a wrong one is wrong', async () => {
    const { app, setup } = await serveTestApp({ config: { modem_type: 'fritzbox' } });
    const passphrase = 'Grüße aus dem Keller, 2026';
    const sealed = await sealBytes(FIXTURE, { passphrase, workFactor: 10 });
    const before = directoryPicture(setup.dataDir);
    const wrong = await upload(app, '/api/uploads', sealed, {
      'x-archive-name': SEALED_NAME,
      'x-seal-passphrase': base64('Gruesse aus dem Keller, 2026'),
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ error: { code: 'SEAL_WRONG_PASSPHRASE' } });
    const missing = await upload(app, '/api/uploads', sealed, { 'x-archive-name': SEALED_NAME });
    expect(missing.json()).toMatchObject({ error: { code: 'SEAL_KEY_REQUIRED', details: { sealedWith: 'passphrase' } } });
    expect(directoryPicture(setup.dataDir)).toEqual(before);

    const right = await upload(app, '/api/uploads', sealed, { 'x-archive-name': SEALED_NAME, 'x-seal-passphrase': base64(passphrase) });
    expect(right.statusCode).toBe(200);
    expect(right.json()).toMatchObject({ sealed: 'passphrase', validation: { has_database: true } });
  });

  it('stores a sealed upload in the backup directory under a sealed name, opened with the instance key', async () => {
    const { app, setup } = await sealingInstance();
    const recipient = (await api(app).seal.get()).recipient!;
    const sealed = await sealBytes(FIXTURE, { recipients: [recipient] });
    const before = directoryPicture(setup.backupDir);
    // Without a key header the instance's own identity opens it.
    const response = await upload(app, '/api/backups/upload', sealed, { 'x-archive-name': encodeURIComponent(SEALED_NAME) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ fileName: SEALED_NAME, sealed: 'identity', size: sealed.length });
    expect(fs.readFileSync(path.join(setup.backupDir, SEALED_NAME)).equals(sealed)).toBe(true);
    const listed = await api(app).backups.list();
    expect(listed.backups).toEqual([expect.objectContaining({ fileName: SEALED_NAME, sealed: 'identity' })]);

    // A sealed file under a plain name is refused, and nothing lands in the backup directory.
    const renamed = await upload(app, '/api/backups/upload', sealed, { 'x-archive-name': 'docsight_backup_2026-01-15_080000.tar.gz' });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json()).toMatchObject({ error: { code: 'ARCHIVE_SEALED' } });
    expect(Object.keys(directoryPicture(setup.backupDir))).toEqual([...Object.keys(before), SEALED_NAME].sort());
  });
});

describe('a restored sealed instance', () => {
  it('brings its seal settings back and keeps sealing its backups', async () => {
    const source = await sealingInstance();
    const job = await finished(source.app.locker.jobs, await api(source.app).backups.create());
    if (job.kind !== 'backup' || !job.result) throw new Error('backup failed');
    const sealed = fs.readFileSync(path.join(source.setup.backupDir, job.result.fileName));

    const target = await serveTestApp();
    const response = await upload(target.app, '/api/uploads', sealed, {
      'x-archive-name': encodeURIComponent(job.result.fileName),
      'x-seal-identity': base64(source.kit.text),
    });
    expect(response.statusCode).toBe(200);
    const restored = await finished(
      target.app.locker.jobs,
      await api(target.app).restore.start({ uploadId: response.json<{ uploadId: string }>().uploadId }),
    );
    expect(restored).toMatchObject({ state: 'succeeded' });
    expect(await api(target.app).seal.get()).toMatchObject({ mode: 'identity', recipient: (await api(source.app).seal.get()).recipient });

    const next = await finished(target.app.locker.jobs, await api(target.app).backups.create());
    if (next.kind !== 'backup' || !next.result) throw new Error('backup failed');
    expect(next.result.fileName).toMatch(/\.tar\.gz\.age$/);
    expect(await validateArchiveFile(next.result.path, { seal: { key: { identities: [source.identity] } } })).toMatchObject({
      has_config: true,
    });
  });
});
