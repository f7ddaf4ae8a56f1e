/**
 * The session rule over HTTP, raw routes and tRPC alike: a cookie that was logged out stays logged
 * out, even when a copy of it is sent again (it used to work for 30 days after auth.logout).
 */
import { createBackup, hashPassword } from '@evidence-locker/core';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { serveTestApp } from '@evidence-locker/server/testing/serve-test-app';

const PASSWORD = 'correct horse battery';

/** A server on an instance with an admin password. */
async function serve() {
  return serveTestApp({ config: { modem_type: 'fritzbox', admin_password: await hashPassword(PASSWORD) } });
}

async function login(server: FastifyInstance): Promise<string> {
  const response = await server.inject({ method: 'POST', url: '/trpc/auth.login', payload: { password: PASSWORD } });
  const cookie = response.cookies.find((entry) => entry.name === 'el_session');
  if (!cookie) throw new Error('no session cookie');
  return `el_session=${cookie.value}`;
}

describe('a logged-out session cookie sent again', () => {
  it('gets 401 from protected procedures and raw routes, while another session keeps working', async () => {
    const { app, setup } = await serve();
    const { fileName } = await createBackup({
      dataDir: setup.dataDir,
      destination: { kind: 'directory', backupDir: setup.backupDir },
      trigger: 'manual',
    });
    const stolen = await login(app);
    const other = await login(app);
    const download = (cookie: string) => app.inject({ method: 'GET', url: `/api/backups/${fileName}`, headers: { cookie } });
    expect((await download(stolen)).statusCode).toBe(200);

    const logout = await app.inject({
      method: 'POST',
      url: '/trpc/auth.logout',
      headers: { cookie: stolen, 'content-type': 'application/json' },
    });
    expect(logout.statusCode).toBe(200);
    expect(logout.cookies).toContainEqual(expect.objectContaining({ name: 'el_session', value: '' }));

    expect((await download(stolen)).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/trpc/settings.get', headers: { cookie: stolen } })).statusCode).toBe(401);
    expect((await download(other)).statusCode).toBe(200);
  });

  it('gets 401 everywhere after "log out everywhere", the other session too', async () => {
    const { app } = await serve();
    const laptop = await login(app);
    const phone = await login(app);
    const everywhere = await app.inject({
      method: 'POST',
      url: '/trpc/auth.logoutEverywhere',
      headers: { cookie: laptop, 'content-type': 'application/json' },
    });
    expect(everywhere.statusCode).toBe(200);
    for (const cookie of [laptop, phone]) {
      expect((await app.inject({ method: 'GET', url: '/trpc/settings.get', headers: { cookie } })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/api/backups/download', headers: { cookie } })).statusCode).toBe(401);
    }
    expect((await app.inject({ method: 'GET', url: '/trpc/settings.get', headers: { cookie: await login(app) } })).statusCode).toBe(200);
  });
});
