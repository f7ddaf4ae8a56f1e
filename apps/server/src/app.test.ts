import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { hashPassword, listBackups } from '@evidence-locker/core';
import { serveTestApp } from '@evidence-locker/server/testing/serve-test-app';

const PASSWORD = 'correct horse battery';

/** A server on a temp instance (`config`: its config.json, if any). */
function serve(config: Record<string, unknown> | undefined) {
  return serveTestApp({ config });
}

async function protectedInstance() {
  return serve({ modem_type: 'fritzbox', admin_password: await hashPassword(PASSWORD) });
}

function login(server: FastifyInstance, password: string, remoteAddress = '192.0.2.7') {
  return server.inject({ method: 'POST', url: '/trpc/auth.login', payload: { password }, remoteAddress });
}

function sessionCookie(response: { cookies: Array<{ name: string; value: string }> }): string {
  const cookie = response.cookies.find((entry) => entry.name === 'el_session');
  if (!cookie) throw new Error('no session cookie');
  return `el_session=${cookie.value}`;
}

describe('HTTP server: who may do what', () => {
  it('answers protected procedures with 401 JSON, never a redirect', async () => {
    const { app } = await protectedInstance();
    for (const request of [
      { method: 'GET' as const, url: '/trpc/settings.get' },
      { method: 'POST' as const, url: '/trpc/settings.update', payload: { backup_retention: 3 } },
      { method: 'GET' as const, url: '/trpc/dashboard.summary' },
    ]) {
      const response = await app.inject(request);
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers.location).toBeUndefined();
      expect(response.json().error).toMatchObject({
        message: 'Log in first: this instance has an admin password.',
        data: { code: 'UNAUTHORIZED', httpStatus: 401 },
      });
    }
  });

  it('keeps everything open while no admin password is set, as DOCSight does', async () => {
    const { app } = await serve({ modem_type: 'fritzbox' });
    const response = await app.inject({ method: 'GET', url: '/trpc/settings.get' });
    expect(response.statusCode).toBe(200);
  });

  it('logs in with the admin password and sets an HttpOnly, SameSite=Strict session cookie', async () => {
    const { app, logLines } = await protectedInstance();
    const response = await login(app, PASSWORD);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ result: { data: { authenticated: true } } });
    const cookie = response.cookies.find((entry) => entry.name === 'el_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', maxAge: 30 * 24 * 3600 });
    expect(cookie?.secure).toBeFalsy();
    const settings = await app.inject({ method: 'GET', url: '/trpc/settings.get', headers: { cookie: sessionCookie(response) } });
    expect(settings.statusCode).toBe(200);
    expect(logLines).toContainEqual(expect.objectContaining({ audit: 'login.succeeded', ip: '192.0.2.7' }));
  });

  it('invalidates existing session cookies when the admin password changes', async () => {
    const { app, setup } = await protectedInstance();
    const cookie = sessionCookie(await login(app, PASSWORD));
    await setup.services.instance.updateConfig({ admin_password: 'a different password' });
    const response = await app.inject({ method: 'GET', url: '/trpc/settings.get', headers: { cookie } });
    expect(response.statusCode).toBe(401);
  });

  it('invalidates session cookies when the password is edited offline and the instance reloads', async () => {
    const { app, setup } = await protectedInstance();
    const cookie = sessionCookie(await login(app, PASSWORD));
    const configPath = path.join(setup.dataDir, 'config.json');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    config.admin_password = await hashPassword('edited by hand');
    fs.writeFileSync(configPath, JSON.stringify(config));
    const sessionKeyBefore = fs.readFileSync(path.join(setup.dataDir, '.session_key'));
    await setup.services.instance.reload();
    expect(fs.readFileSync(path.join(setup.dataDir, '.session_key')).equals(sessionKeyBefore)).toBe(false);
    expect((await app.inject({ method: 'GET', url: '/trpc/settings.get', headers: { cookie } })).statusCode).toBe(401);
  });

  it('logs out by clearing the cookie', async () => {
    const { app } = await protectedInstance();
    const response = await app.inject({ method: 'POST', url: '/trpc/auth.logout', payload: {} });
    expect(response.statusCode).toBe(200);
    expect(response.cookies).toContainEqual(expect.objectContaining({ name: 'el_session', value: '' }));
  });
});

describe('HTTP server: cross-origin requests', () => {
  it('refuses a mutation whose Origin is another site with 403 JSON and an audit line', async () => {
    const { app, setup, logLines } = await serve(undefined);
    const response = await app.inject({
      method: 'POST',
      url: '/trpc/setup.startDemo',
      headers: { origin: 'http://evil.example', host: 'localhost:8765' },
      remoteAddress: '203.0.113.9',
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      error: { code: 'CROSS_ORIGIN_REFUSED', message: 'This request came from another origin and was refused.' },
    });
    expect(fs.existsSync(path.join(setup.dataDir, 'config.json'))).toBe(false);
    expect(logLines).toContainEqual(
      expect.objectContaining({ audit: 'request.cross-origin-refused', ip: '203.0.113.9', origin: 'http://evil.example' }),
    );
  });

  it('refuses a browser form post marked cross-site even without Origin or Referer', async () => {
    const { app } = await serve(undefined);
    const response = await app.inject({
      method: 'POST',
      url: '/trpc/setup.startDemo',
      headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
      payload: '{}',
    });
    expect(response.statusCode).toBe(403);
  });

  it('accepts the same mutation from the app origin and from clients that send no Origin', async () => {
    const { app } = await serve(undefined);
    const same = await app.inject({
      method: 'POST',
      url: '/trpc/auth.logout',
      headers: { origin: 'http://localhost:8765', host: 'localhost:8765' },
      payload: {},
    });
    expect(same.statusCode).toBe(200);
    const cli = await app.inject({ method: 'POST', url: '/trpc/auth.logout', payload: {} });
    expect(cli.statusCode).toBe(200);
  });
});

describe('HTTP server: responses', () => {
  it('sends security headers and no-store on API answers', async () => {
    const { app } = await serve(undefined);
    const response = await app.inject({ method: 'GET', url: '/api/health' });
    expect(response.json()).toMatchObject({ status: 'ok' });
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('answers unknown /api and /trpc paths with 404 JSON', async () => {
    const { app } = await serve(undefined);
    const api = await app.inject({ method: 'GET', url: '/api/nope' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Nothing at GET /api/nope.' } });
    const trpc = await app.inject({ method: 'GET', url: '/trpc/nope.nothing' });
    expect(trpc.statusCode).toBe(404);
    expect(trpc.headers['content-type']).toMatch(/^application\/json/);
  });

  it('sends the validation message itself, not a JSON dump of issues', async () => {
    const { app } = await serve({ modem_type: 'fritzbox' });
    const response = await app.inject({ method: 'POST', url: '/trpc/settings.update', payload: { backup_interval_hours: 12 } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      message: 'The backup interval must be 24 hours (daily) or 168 hours (weekly).',
      // Not a product refusal: no code, and the validation message as it is.
      data: {
        lockerCode: null,
        issues: [{ path: 'backup_interval_hours', message: 'The backup interval must be 24 hours (daily) or 168 hours (weekly).' }],
      },
    });
    expect(response.json().error.data.stack).toBeUndefined();
  });

  it('maps a LockerError to its status and keeps its message', async () => {
    const { app } = await serve({ modem_type: 'fritzbox' });
    const response = await app.inject({ method: 'POST', url: '/trpc/settings.update', payload: { backup_path: '/etc' } });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toMatchObject({ data: { lockerCode: 'PATH_NOT_ALLOWED', details: { path: '/etc' } } });
    expect(response.json().error.message).toMatch(/must lie inside/);
  });

  it("sends the server's own refusals with their code and details, so a client can say them in its language", async () => {
    const { app } = await protectedInstance();
    const wrong = await login(app, 'not the password', '192.0.2.8');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toMatchObject({ message: 'Wrong password.', data: { lockerCode: 'LOGIN_FAILED', details: {} } });
    const job = await app.inject({
      method: 'GET',
      url: `/trpc/jobs.get?input=${encodeURIComponent(JSON.stringify({ id: crypto.randomUUID() }))}`,
    });
    expect(job.json().error).toMatchObject({ data: { code: 'UNAUTHORIZED', lockerCode: 'LOGIN_REQUIRED' } });
  });

  it('hides the details of an unexpected error from the client and logs them', async () => {
    const { app, logLines } = await serve(undefined);
    app.get('/api/boom', async () => {
      throw new Error('secret detail /etc/shadow');
    });
    const response = await app.inject({ method: 'GET', url: '/api/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(JSON.stringify(logLines)).toContain('secret detail /etc/shadow');
  });
});

describe('HTTP server: the web app', () => {
  it('says how to build the web app when apps/web/dist is missing', async () => {
    const { app } = await serve(undefined);
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('web app is not built');
    expect(response.body).toContain('pnpm --filter ./apps/web build');
  });

  it('serves the built app with history fallback to index.html', async () => {
    const { app } = await serveTestApp({
      webFiles: { 'index.html': '<!doctype html><div id="app"></div>', 'assets/app-1234.js': 'console.log(1)' },
    });
    const index = await app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('id="app"');
    const deepLink = await app.inject({ method: 'GET', url: '/settings/backup' });
    expect(deepLink.statusCode).toBe(200);
    expect(deepLink.body).toContain('id="app"');
    expect(deepLink.headers['cache-control']).toBe('no-cache');
    const asset = await app.inject({ method: 'GET', url: '/assets/app-1234.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
  });
});

describe('HTTP server: the backup schedule', () => {
  it('runs an overdue scheduled backup SCHEDULE_START_DELAY_SECONDS after start instead of a minute', async () => {
    const { app, setup } = await serveTestApp({
      config: { modem_type: 'fritzbox', backup_enabled: true },
      env: { scheduleStartDelayMs: 0 },
    });
    await app.ready();
    const deadline = Date.now() + 20_000;
    while (app.locker.scheduler.state().lastSuccessAt === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await listBackups(setup.backupDir)).map((backup) => backup.trigger)).toEqual(['scheduled']);
  });
});
