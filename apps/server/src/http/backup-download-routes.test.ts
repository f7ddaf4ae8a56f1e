import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createBackup, hashPassword, validateArchive, WORK_PREFIX } from '@evidence-locker/core';
import { describe, expect, it } from 'vitest';
import { serveTestApp } from '@evidence-locker/server/testing/serve-test-app';
import type { TestServices } from '@evidence-locker/server/testing/test-services';

const PASSWORD = 'correct horse battery';
const FILE_NAME = /^docsight_backup_\d{4}-\d{2}-\d{2}_\d{6}\.tar\.gz$/;

/** A server on a set-up instance (`config`: its config.json). */
function serve(config: Record<string, unknown> = { modem_type: 'fritzbox' }) {
  return serveTestApp({ config });
}

/** Names of Evidence Locker work files/dirs left in `dir`. */
function workFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.startsWith(WORK_PREFIX));
}

/** A stored backup made by the engine, as Backup now would make it. */
async function storedBackup(setup: TestServices): Promise<{ fileName: string; bytes: Buffer }> {
  const result = await createBackup({
    dataDir: setup.dataDir,
    destination: { kind: 'directory', backupDir: setup.backupDir },
    trigger: 'manual',
  });
  return { fileName: result.fileName, bytes: fs.readFileSync(result.path!) };
}

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('GET /api/backups/download (a fresh backup)', () => {
  it('streams a valid archive with the DOCSight file name, gzip type and exact length, leaving nothing behind', async () => {
    const { app, setup, logLines } = await serve();
    const before = Date.now();
    const response = await app.inject({ method: 'GET', url: '/api/backups/download', remoteAddress: '192.0.2.5' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/gzip');
    const disposition = String(response.headers['content-disposition']);
    const match = /^attachment; filename="([^"]+)"$/.exec(disposition);
    expect(match?.[1]).toMatch(FILE_NAME);
    expect(Number(response.headers['content-length'])).toBe(response.rawPayload.length);
    expect(response.headers['cache-control']).toBe('no-store');

    const validation = await validateArchive(response.rawPayload);
    expect(validation.meta.trigger).toBe('download');
    expect(validation.has_database).toBe(true);
    // The work dir goes once the backup has settled, just after the last byte.
    await waitFor(() => logLines.some((line) => line['msg'] === 'Backup download finished'));
    expect(workFiles(setup.dataDir)).toEqual([]);
    expect(fs.readdirSync(setup.backupDir)).toEqual([]);
    expect(logLines).toContainEqual(
      expect.objectContaining({ audit: 'backup.downloaded', ip: '192.0.2.5', file: match?.[1], fresh: true }),
    );
    // The whole archive reached the client: the dashboard counts it as a copy the user holds.
    await waitFor(() => app.locker.downloads.lastFinishedAt !== null);
    expect(app.locker.downloads.lastFinishedAt!.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('aborts the backup and removes its work dir when the client goes away mid-stream', async () => {
    const { app, setup, logLines } = await serve();
    // 48 MiB of random bytes: far more than socket buffers hold, so the stream is cut mid-way.
    const db = setup.services.instance.historyDb;
    db.exec('CREATE TABLE filler (b BLOB)');
    const insert = db.prepare('INSERT INTO filler VALUES (randomblob(1048576))');
    for (let i = 0; i < 48; i++) insert.run();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;

    const received = await new Promise<number>((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/api/backups/download' }, (response) => {
        expect(response.statusCode).toBe(200);
        response.once('data', (chunk: Buffer) => {
          request.destroy();
          resolve(chunk.length);
        });
      });
      request.on('error', (error) => {
        if (!request.destroyed) reject(error);
      });
    });
    expect(received).toBeGreaterThan(0);
    await waitFor(() => logLines.some((line) => line['msg'] === 'Backup download aborted: the client went away'));
    expect(workFiles(setup.dataDir)).toEqual([]);
    expect(fs.readdirSync(setup.backupDir)).toEqual([]);
    // Half an archive is no copy.
    expect(app.locker.downloads.lastFinishedAt).toBeNull();
  });

  it('answers a failure before the first byte as JSON with a status, not a broken download', async () => {
    const { app, setup } = await serve();
    const moved = `${setup.dataDir}-moved`;
    fs.renameSync(setup.dataDir, moved);
    try {
      const response = await app.inject({ method: 'GET', url: '/api/backups/download' });
      expect(response.statusCode).toBe(500);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json().error.code).toBe('DATA_DIR_UNUSABLE');
      expect(response.headers['content-disposition']).toBeUndefined();
    } finally {
      fs.renameSync(moved, setup.dataDir);
    }
  });

  it('offers no HEAD, which would build a whole backup for nothing', async () => {
    const { app, setup } = await serve();
    const response = await app.inject({ method: 'HEAD', url: '/api/backups/download' });
    // Only the stored-backup route answers HEAD, and "download" is no backup file name.
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-disposition']).toBeUndefined();
    expect(workFiles(setup.dataDir)).toEqual([]);
  });
});

describe('GET /api/backups/:filename (a stored backup)', () => {
  it('sends the stored bytes unchanged with length, type and file name', async () => {
    const { app, setup, logLines } = await serve();
    const { fileName, bytes } = await storedBackup(setup);
    const response = await app.inject({ method: 'GET', url: `/api/backups/${fileName}`, remoteAddress: '192.0.2.6' });
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(bytes)).toBe(true);
    expect(response.headers['content-type']).toBe('application/gzip');
    expect(response.headers['content-length']).toBe(String(bytes.length));
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${fileName}"`);
    expect(logLines).toContainEqual(expect.objectContaining({ audit: 'backup.downloaded', ip: '192.0.2.6', file: fileName, fresh: false }));
  });

  it('answers 404 JSON for a backup name with no file, a directory or a symlink behind it', async () => {
    const { app, setup } = await serve();
    const outside = path.join(setup.root, 'secret.tar.gz');
    fs.writeFileSync(outside, 'secret');
    fs.symlinkSync(outside, path.join(setup.backupDir, 'docsight_backup_2020-01-02_000000.tar.gz'));
    fs.mkdirSync(path.join(setup.backupDir, 'docsight_backup_2020-01-03_000000.tar.gz'));
    for (const name of [
      'docsight_backup_2020-01-01_000000.tar.gz',
      'docsight_backup_2020-01-02_000000.tar.gz',
      'docsight_backup_2020-01-03_000000.tar.gz',
    ]) {
      const response = await app.inject({ method: 'GET', url: `/api/backups/${name}` });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({
        error: { code: 'BACKUP_NOT_FOUND', message: `Backup not found: ${name}.`, details: { fileName: name } },
      });
    }
  });

  it.each(['config.json', '..%2Fdata%2Fconfig.json', 'docsis_history.db', '.config_key', 'docsight_backup_x.tar.gz'])(
    'answers 400 JSON for %j, which is not a backup file name',
    async (name) => {
      const { app, setup } = await serve();
      fs.writeFileSync(path.join(setup.backupDir, 'config.json'), '{"secret": 1}');
      const response = await app.inject({ method: 'GET', url: `/api/backups/${name}` });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('BACKUP_NAME_INVALID');
    },
  );
});

describe('backup downloads need a session when an admin password is set', () => {
  it('answers both routes with 401 JSON without a session and serves them with one', async () => {
    const { app, setup } = await serve({ modem_type: 'fritzbox', admin_password: await hashPassword(PASSWORD) });
    const { fileName } = await storedBackup(setup);
    for (const url of ['/api/backups/download', `/api/backups/${fileName}`]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toEqual({ error: { code: 'LOGIN_REQUIRED', message: 'Log in first: this instance has an admin password.' } });
    }
    expect(workFiles(setup.dataDir)).toEqual([]);

    const login = await app.inject({ method: 'POST', url: '/trpc/auth.login', payload: { password: PASSWORD } });
    const session = login.cookies.find((cookie) => cookie.name === 'el_session');
    const cookie = `el_session=${session!.value}`;
    expect((await app.inject({ method: 'GET', url: `/api/backups/${fileName}`, headers: { cookie } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/backups/download', headers: { cookie } })).statusCode).toBe(200);
  });
});
