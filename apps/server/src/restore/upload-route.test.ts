import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FREE_SPACE_MARGIN, hashPassword } from '@evidence-locker/core';
import type { UploadStoreOptions } from './upload-store.ts';
import { serveTestApp } from '@evidence-locker/server/testing/serve-test-app';
import {
  FIXTURE_A,
  FIXTURE_A_SNAPSHOTS,
  directoryPicture,
  stagedUploads,
  traversalArchive,
} from '@evidence-locker/server/testing/restore-support';

afterEach(() => {
  vi.restoreAllMocks();
});

const FIXTURE = fs.readFileSync(FIXTURE_A);

/** A server on a temp instance (`config`: its config.json, if any) with the given upload store options. */
function serve(config?: Record<string, unknown>, uploads?: Omit<UploadStoreOptions, 'stagingDir'>) {
  return serveTestApp({ config, uploads });
}

function upload(server: FastifyInstance, payload: Buffer, remoteAddress = '192.0.2.20', headers: Record<string, string> = {}) {
  return server.inject({
    method: 'POST',
    url: '/api/uploads',
    payload,
    remoteAddress,
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });
}

describe('POST /api/uploads', () => {
  it('stages the raw archive bytes and answers its validation', async () => {
    const { app, setup } = await serve();
    const response = await upload(app, FIXTURE);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      uploadId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      size: FIXTURE.length,
      validation: {
        has_database: true,
        has_config: true,
        warnings: [],
        files: [
          'backup_meta.json',
          'connection_monitor.db',
          'docsis_history.db',
          'config.json',
          '.config_key',
          '.session_key',
          '.auth_state',
        ],
        meta: { magic: 'docsight-backup', app_version: 'v2026-08-21.1' },
      },
    });
    expect(body.validation.meta.tables.snapshots).toBe(FIXTURE_A_SNAPSHOTS);
    expect(body.validation.members.map((member: { name: string }) => member.name)).toContain('docsis_history.db');
    const staged = stagedUploads(setup.dataDir);
    expect(staged).toContain(`.evidence-locker-upload-${body.uploadId}.tar.gz`);
    // Each data member is staged and verified beside it, ready to be published.
    expect(staged.filter((name) => name.startsWith(`.evidence-locker-prepared-${body.uploadId}-docsis_history.db.`))).toHaveLength(1);
    expect(staged).toHaveLength(7);
  });

  it('accepts application/gzip as the content type', async () => {
    const { app } = await serve();
    const response = await upload(app, FIXTURE, undefined, { 'content-type': 'application/gzip' });
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['not gzip', () => Buffer.from('this is a plain text file, not a backup\n'), 'ARCHIVE_NOT_GZIP', /^Invalid archive: not a gzip file$/],
    ['a path traversal', () => traversalArchive(), 'MEMBER_UNSAFE', /^Unsafe path in archive: \.\.\/\.\.\/etc\/evil$/],
  ])('refuses %s with 400 and the engine message, leaving the data dir byte-identical', async (_what, bytes, code, message) => {
    const { app, setup, logLines } = await serve();
    const before = directoryPicture(setup.dataDir);
    const response = await upload(app, bytes());
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const { details: _details, ...error } = response.json().error;
    expect(error).toEqual({ code, message: expect.stringMatching(message) });
    expect(directoryPicture(setup.dataDir)).toEqual(before);
    expect(logLines).toContainEqual(expect.objectContaining({ audit: 'restore.refused', ip: '192.0.2.20', reason: code, path: 'upload' }));
  });

  it('answers 400 over a real connection while a large invalid body is still arriving', async () => {
    const { app, setup } = await serve();
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/api/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(8 * 1024 * 1024, 0x41),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'ARCHIVE_NOT_GZIP', message: 'Invalid archive: not a gzip file' } });
    expect(stagedUploads(setup.dataDir)).toEqual([]);
  });

  it('refuses an announced size over the cap with 413 before reading the body', async () => {
    const { app, setup } = await serve(undefined, { maxBytes: 1000 });
    const before = directoryPicture(setup.dataDir);
    const response = await upload(app, FIXTURE);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({
      error: { code: 'ARCHIVE_TOO_LARGE', message: 'The upload is larger than the limit of 1000 bytes.', details: { limit: 1000 } },
    });
    expect(response.headers.connection).toBe('close');
    expect(directoryPicture(setup.dataDir)).toEqual(before);
  });

  it('refuses an upload the disk cannot hold with 507, saying what is needed and free, before reading the body', async () => {
    const { app, setup } = await serve();
    const before = directoryPicture(setup.dataDir);
    vi.spyOn(fs.promises, 'statfs').mockResolvedValue({ bavail: 5_000_000, bsize: 1 } as fs.StatsFs);
    const response = await upload(app, FIXTURE);
    expect(response.statusCode).toBe(507);
    const needed = Math.ceil((FIXTURE.length + FREE_SPACE_MARGIN) / 1e6);
    expect(response.json()).toEqual({
      error: {
        code: 'DISK_FULL',
        message:
          `Not enough free space for the upload in ${setup.dataDir}: it needs about ${needed} MB, 5 MB are free. ` +
          'Free up space there (or choose a directory on a bigger disk) and try again.',
        // What a translation may name; the directory list is not a string, so it stays out.
        details: { needed: FIXTURE.length + FREE_SPACE_MARGIN, available: 5_000_000 },
      },
    });
    expect(directoryPicture(setup.dataDir)).toEqual(before);
  });

  it('stops a chunked upload that passes the cap with 413 and removes what it staged', async () => {
    const { app, setup } = await serve(undefined, { maxBytes: 200_000 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const before = directoryPicture(setup.dataDir);
    const { port } = app.server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/uploads', headers: { 'content-type': 'application/octet-stream' } },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      let answered = false;
      request.on('response', () => (answered = true));
      // Writing on after the server said 413 and closed may fail; only a missing answer counts.
      request.on('error', (error) => {
        if (!answered) reject(error);
      });
      // No Content-Length: chunked, so only the running count can stop it.
      let offset = 0;
      const writeMore = (): void => {
        while (offset < FIXTURE.length) {
          const chunk = FIXTURE.subarray(offset, offset + 16 * 1024);
          offset += chunk.length;
          if (!request.write(chunk)) {
            request.once('drain', writeMore);
            return;
          }
        }
        request.end();
      };
      writeMore();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'ARCHIVE_TOO_LARGE', message: 'The upload is larger than the limit of 200000 bytes.', details: { limit: 200000 } },
    });
    expect(directoryPicture(setup.dataDir)).toEqual(before);
  });

  it('answers 401 JSON without a session when an admin password is set, and audits it', async () => {
    const { app, setup, logLines } = await serve({ modem_type: 'fritzbox', admin_password: await hashPassword('correct horse battery') });
    const response = await upload(app, FIXTURE);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: { code: 'LOGIN_REQUIRED', message: 'Log in first: this instance has an admin password.' },
    });
    expect(stagedUploads(setup.dataDir)).toEqual([]);
    expect(logLines).toContainEqual(expect.objectContaining({ audit: 'restore.refused', ip: '192.0.2.20', reason: 'not logged in' }));
  });

  it('accepts an upload with a valid session when an admin password is set', async () => {
    const { app } = await serve({ modem_type: 'fritzbox', admin_password: await hashPassword('correct horse battery') });
    const login = await app.inject({ method: 'POST', url: '/trpc/auth.login', payload: { password: 'correct horse battery' } });
    const cookie = login.cookies.find((entry) => entry.name === 'el_session');
    const response = await upload(app, FIXTURE, undefined, { cookie: `el_session=${cookie?.value}` });
    expect(response.statusCode).toBe(200);
  });

  it('answers 20 picks in a row from one address, valid and invalid mixed, and keeps only the last one staged', async () => {
    const { app, setup } = await serve();
    let previous: string | undefined;
    for (let pick = 0; pick < 20; pick += 1) {
      // What the wizard does: the upload a new pick replaces is discarded first.
      if (previous) {
        const discard = await app.inject({
          method: 'POST',
          url: '/trpc/restore.discard',
          payload: { uploadId: previous },
          remoteAddress: '192.0.2.20',
        });
        expect(discard.json().result.data).toEqual({ discarded: true });
        previous = undefined;
      }
      if (pick % 4 === 2) {
        const refused = await upload(app, Buffer.from('not an archive at all'));
        expect(refused.statusCode, `pick ${pick}`).toBe(400);
        expect(refused.json().error.code).toBe('ARCHIVE_NOT_GZIP');
      } else {
        const accepted = await upload(app, FIXTURE);
        expect(accepted.statusCode, `pick ${pick}`).toBe(200);
        previous = accepted.json().uploadId;
      }
    }
    // Pick 19 was valid: its archive and its six prepared members, nothing else.
    const staged = stagedUploads(setup.dataDir);
    expect(staged).toHaveLength(7);
    expect(staged.every((name) => name.includes(previous ?? 'none'))).toBe(true);
  });

  it("replaces an address's oldest waiting upload with its third, so a closed tab's leftover never locks anyone out", async () => {
    const { app, setup } = await serve();
    const ids: string[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await upload(app, FIXTURE);
      expect(response.statusCode).toBe(200);
      ids.push(response.json().uploadId);
    }
    const uploaded = (uploadId: string | undefined) =>
      app.inject({
        method: 'GET',
        url: `/trpc/restore.uploaded?input=${encodeURIComponent(JSON.stringify({ uploadId }))}`,
        remoteAddress: '192.0.2.20',
      });
    const gone = await uploaded(ids[0]);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.data).toMatchObject({ lockerCode: 'UPLOAD_GONE' });
    expect((await uploaded(ids[2])).statusCode).toBe(200);
    expect(stagedUploads(setup.dataDir)).toHaveLength(14);
    expect(stagedUploads(setup.dataDir).filter((name) => name.includes(ids[0] ?? 'none'))).toEqual([]);
  });

  it('refuses the 61st upload of an address within the hour with SETUP_UPLOAD_LIMIT and the wait, and audits it', async () => {
    const { app, logLines } = await serve();
    for (let attempt = 0; attempt < 60; attempt += 1) {
      expect((await upload(app, Buffer.from('not an archive'))).statusCode).toBe(400);
    }
    const refused = await upload(app, FIXTURE);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({
      error: {
        code: 'SETUP_UPLOAD_LIMIT',
        message: 'Too many uploads from your address: 60 in the last hour. Try again in 60 minutes.',
        details: { limit: 60, minutes: 60 },
      },
    });
    expect(logLines).toContainEqual(expect.objectContaining({ audit: 'restore.refused', reason: 'rate limit' }));
    // Another address has its own allowance.
    expect((await upload(app, FIXTURE, '192.0.2.21')).statusCode).toBe(200);
  });

  it('refuses other media types with 415 JSON', async () => {
    const { app } = await serve();
    const response = await upload(app, FIXTURE, undefined, { 'content-type': 'multipart/form-data; boundary=x' });
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('UPLOAD_TYPE_UNSUPPORTED');
  });
});
