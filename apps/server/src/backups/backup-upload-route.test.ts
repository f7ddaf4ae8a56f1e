import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { backupFileName, hashPassword, listBackups } from '@evidence-locker/core';
import { serveTestApp } from '@evidence-locker/server/testing/serve-test-app';
import { FIXTURE_A, traversalArchive } from '@evidence-locker/server/testing/restore-support';

const FIXTURE = fs.readFileSync(FIXTURE_A);
const STORED_NAME = 'docsight_backup_2026-11-26_080713.tar.gz';

function upload(app: FastifyInstance, payload: Buffer, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/backups/upload',
    payload,
    remoteAddress: '192.0.2.30',
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });
}

/** Every file in the backup directory, work files included. */
function backupDirFiles(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('POST /api/backups/upload', () => {
  it('stores a valid backup under its own name, where the list, verify and restore find it', async () => {
    const { app, setup } = await serveTestApp({ config: { modem_type: 'fritzbox' } });
    const response = await upload(app, FIXTURE, { 'x-file-name': encodeURIComponent(STORED_NAME) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ fileName: STORED_NAME, size: FIXTURE.length, validation: { has_database: true } });
    expect(backupDirFiles(setup.backupDir)).toEqual([STORED_NAME]);
    expect(fs.readFileSync(path.join(setup.backupDir, STORED_NAME)).equals(FIXTURE)).toBe(true);
    expect((await listBackups(setup.backupDir)).map((backup) => backup.fileName)).toEqual([STORED_NAME]);
  });

  it('never replaces a stored backup: the same file again gets the next free name', async () => {
    const { app, setup } = await serveTestApp({ config: { modem_type: 'fritzbox' } });
    await upload(app, FIXTURE, { 'x-file-name': STORED_NAME });
    const again = await upload(app, FIXTURE, { 'x-file-name': STORED_NAME });
    expect(again.json()).toMatchObject({ fileName: 'docsight_backup_2026-11-26_080714.tar.gz' });
    expect(backupDirFiles(setup.backupDir)).toEqual([STORED_NAME, 'docsight_backup_2026-11-26_080714.tar.gz']);
  });

  it("names a file with another name after the archive's date", async () => {
    const { app } = await serveTestApp({ config: { modem_type: 'fritzbox' } });
    const response = await upload(app, FIXTURE, { 'x-file-name': encodeURIComponent('my backup (1).tar.gz') });
    expect(response.json()).toMatchObject({ fileName: backupFileName(new Date('2026-11-26T07:07:13.713745+00:00')) });
  });

  it.each([
    ['not gzip', () => Buffer.from('plain text, not a backup\n'), 'ARCHIVE_NOT_GZIP'],
    ['a path traversal', () => traversalArchive(), 'MEMBER_UNSAFE'],
  ])('refuses %s with the engine code and leaves nothing in the backup directory', async (_name, bytes, code) => {
    const { app, setup } = await serveTestApp({ config: { modem_type: 'fritzbox' } });
    const response = await upload(app, bytes(), { 'x-file-name': STORED_NAME });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code } });
    expect(backupDirFiles(setup.backupDir)).toEqual([]);
  });

  it('refuses another media type before reading anything', async () => {
    const { app, setup } = await serveTestApp({ config: { modem_type: 'fritzbox' } });
    const response = await upload(app, FIXTURE, { 'content-type': 'multipart/form-data; boundary=x' });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: { code: 'UPLOAD_TYPE_UNSUPPORTED' } });
    expect(backupDirFiles(setup.backupDir)).toEqual([]);
  });

  it('refuses an archive announced larger than the cap with 413', async () => {
    const { app, setup } = await serveTestApp({ config: { modem_type: 'fritzbox' }, uploads: { maxBytes: 1024 } });
    const response = await upload(app, FIXTURE);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'ARCHIVE_TOO_LARGE' } });
    expect(backupDirFiles(setup.backupDir)).toEqual([]);
  });

  it('needs a session when an admin password is set', async () => {
    const { app, setup } = await serveTestApp({
      config: { modem_type: 'fritzbox', admin_password: await hashPassword('correct horse battery') },
    });
    const refused = await upload(app, FIXTURE);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: { code: 'LOGIN_REQUIRED' } });
    expect(backupDirFiles(setup.backupDir)).toEqual([]);

    const login = await app.inject({ method: 'POST', url: '/trpc/auth.login', payload: { password: 'correct horse battery' } });
    const cookie = login.cookies.find((entry) => entry.name === 'el_session');
    const response = await upload(app, FIXTURE, { cookie: `el_session=${cookie?.value}` });
    expect(response.statusCode).toBe(200);
  });
});
