import { describe, expect, it } from 'vitest';
import { hashPassword } from '@evidence-locker/core';
import { createLockerClient } from './client.ts';
import { listenTestApp } from '@evidence-locker/server/testing/serve-test-app';

/** A fetch that keeps the session cookie between calls, as a browser would. */
function cookieFetch(): typeof fetch {
  let cookie: string | undefined;
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(input, { ...init, headers });
    const set = response.headers.getSetCookie().find((line) => line.startsWith('el_session='));
    if (set) cookie = set.split(';')[0];
    return response;
  };
}

describe('createLockerClient', () => {
  it('calls a listening server with full types, batching queries', async () => {
    const server = await listenTestApp();
    const client = createLockerClient(server.url);
    const [state, me] = await Promise.all([client.setup.state.query(), client.auth.me.query()]);
    expect(state.configured).toBe(false);
    expect(me).toEqual({ authRequired: false, authenticated: false });
    await client.setup.completeSetup.mutate({
      modemType: 'fritzbox',
      modemUrl: 'http://192.168.178.1',
      modemUser: 'admin',
      modemPassword: 'secret',
    });
    const summary = await client.dashboard.summary.query();
    expect(summary.modem?.type).toBe('fritzbox');
  });

  it('logs in and uses the session cookie for protected procedures', async () => {
    const server = await listenTestApp({ config: { modem_type: 'fritzbox', admin_password: await hashPassword('open sesame') } });
    const client = createLockerClient(server.url, { fetch: cookieFetch() });
    await expect(client.settings.get.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED', httpStatus: 401 } });
    await expect(client.auth.login.mutate({ password: 'wrong' })).rejects.toThrow('Wrong password.');
    await client.auth.login.mutate({ password: 'open sesame' });
    expect(await client.settings.get.query()).toMatchObject({ backup_interval_hours: 24, backup_retention: 5 });
  });
});
