/**
 * DNS rebinding, repeated against the built server: a page on evil.example rebinds its name to
 * 127.0.0.1, so the browser sends `Host` and `Origin` of evil.example and the cross-origin rule
 * alone sees a same-origin request. Every such request is refused before any route runs.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { FIXTURE_A, directoryPicture, stagedUploads } from '@evidence-locker/server/testing/restore-support';
import { serveTestApp } from '@evidence-locker/server/testing/serve-test-app';

const FIXTURE = fs.readFileSync(FIXTURE_A);
/** What a rebound page's requests carry. */
const REBOUND = { host: 'evil.example:8765', origin: 'http://evil.example:8765' };

/** A server with a built web app and ALLOWED_HOSTS set to `allowedHosts`. */
function serve(config: Record<string, unknown> | undefined, allowedHosts: string[] = []) {
  return serveTestApp({
    config,
    env: { allowedHosts },
    webFiles: { 'index.html': '<!doctype html><title>Evidence Locker</title>' },
  });
}

function upload(server: FastifyInstance, headers: Record<string, string> = {}) {
  return server.inject({
    method: 'POST',
    url: '/api/uploads',
    payload: FIXTURE,
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });
}

function expectHostRefused(response: { statusCode: number; json(): unknown }): void {
  expect(response.statusCode).toBe(403);
  expect(response.json()).toMatchObject({ error: { code: 'HOST_NOT_ALLOWED', message: expect.stringMatching(/ALLOWED_HOSTS/) } });
}

describe('DNS rebinding: requests for a host name that is not ours', () => {
  it('cannot upload an archive to an unconfigured instance', async () => {
    const { app, setup, logLines } = await serve(undefined);
    const before = directoryPicture(setup.dataDir);
    expectHostRefused(await upload(app, REBOUND));
    expect(stagedUploads(setup.dataDir)).toEqual([]);
    expect(directoryPicture(setup.dataDir)).toEqual(before);
    expect(logLines).toContainEqual(expect.objectContaining({ audit: 'request.host-refused', host: 'evil.example:8765' }));
  });

  it('cannot start the restore of an upload on an unconfigured instance', async () => {
    const { app, setup } = await serve(undefined);
    const uploaded = await upload(app);
    expect(uploaded.statusCode).toBe(200);
    const before = directoryPicture(setup.dataDir);
    const response = await app.inject({
      method: 'POST',
      url: '/trpc/restore.start',
      payload: { uploadId: uploaded.json().uploadId },
      headers: REBOUND,
    });
    expectHostRefused(response);
    expect(app.locker.jobs.list()).toEqual([]);
    expect(directoryPicture(setup.dataDir)).toEqual(before);
    expect(setup.services.instance.snapshot.configured).toBe(false);
  });

  it('cannot download a fresh backup (config.json and .config_key) from an open instance by GET', async () => {
    const { app } = await serve({ modem_type: 'fritzbox' });
    const response = await app.inject({ method: 'GET', url: '/api/backups/download', headers: REBOUND });
    expectHostRefused(response);
    expect(response.headers['content-disposition']).toBeUndefined();
    // Nor a rebound GET with no Origin at all (a plain navigation or <a download>).
    expectHostRefused(await app.inject({ method: 'GET', url: '/api/backups/download', headers: { host: 'evil.example' } }));
  });

  it('serves neither the API nor the web app under that name', async () => {
    const { app } = await serve({ modem_type: 'fritzbox' });
    for (const url of ['/', '/settings', '/trpc/settings.get', '/api/health', '/api/no-such-route']) {
      expectHostRefused(await app.inject({ method: 'GET', url, headers: { host: 'evil.example' } }));
    }
    // Case, a trailing dot and a port change nothing.
    expectHostRefused(await app.inject({ method: 'GET', url: '/', headers: { host: 'EVIL.example.:80' } }));
  });

  it('refuses a malformed Host header', async () => {
    const { app } = await serve({ modem_type: 'fritzbox' });
    for (const host of ['evil.example@localhost', 'localhost:99999', '[::1', 'local host']) {
      const response = await app.inject({ method: 'GET', url: '/trpc/settings.get', headers: { host } });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('HOST_NOT_ALLOWED');
    }
  });
});

describe('the names the server is meant to be reached by', () => {
  it('answers localhost and loopback addresses in any spelling', async () => {
    const { app } = await serve({ modem_type: 'fritzbox' });
    for (const host of [
      'localhost:8765',
      'LOCALHOST.:8765',
      '127.0.0.1:8765',
      '127.1',
      '[::1]:8765',
      '[0:0:0:0:0:0:0:1]',
      '[::ffff:127.0.0.1]',
    ]) {
      const response = await app.inject({ method: 'GET', url: '/trpc/settings.get', headers: { host } });
      expect(response.statusCode, host).toBe(200);
    }
  });

  it("answers the machine's own interface addresses", async () => {
    const { machineAddresses } = await import('./host-guard.ts');
    const { app } = await serve({ modem_type: 'fritzbox' });
    for (const address of machineAddresses()) {
      const host = address.includes(':') ? `[${address.split('%')[0]}]:8765` : `${address}:8765`;
      // A link-local IPv6 address with a zone id is not a valid Host header: browsers do not send one.
      if (address.includes('%')) continue;
      const response = await app.inject({ method: 'GET', url: '/trpc/settings.get', headers: { host } });
      expect(response.statusCode, host).toBe(200);
    }
  });

  it('answers a name from ALLOWED_HOSTS: upload, restore and download work through it', async () => {
    const { app } = await serve(undefined, ['locker.lan']);
    const named = { host: 'Locker.LAN:8765', origin: 'http://locker.lan:8765' };
    const uploaded = await upload(app, named);
    expect(uploaded.statusCode).toBe(200);
    const started = await app.inject({
      method: 'POST',
      url: '/trpc/restore.start',
      payload: { uploadId: uploaded.json().uploadId },
      headers: named,
    });
    expect(started.statusCode).toBe(200);
    const job = await app.locker.jobs.wait(started.json().result.data.id);
    expect(job.state).toBe('succeeded');
    const download = await app.inject({ method: 'GET', url: '/api/backups/download', headers: { host: 'locker.lan' } });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/gzip');
    // Another name is still refused.
    expectHostRefused(await upload(app, REBOUND));
  });

  it('answers every name when ALLOWED_HOSTS is *', async () => {
    const { app } = await serve({ modem_type: 'fritzbox' }, ['*']);
    const response = await app.inject({ method: 'GET', url: '/trpc/settings.get', headers: { host: 'evil.example' } });
    expect(response.statusCode).toBe(200);
  });
});
