import fs from 'node:fs';
import path from 'node:path';
import { hashPassword } from '@evidence-locker/core';
import type { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../errors/server-refusal.ts';
import { createTestContext, createTestServices, type TestContext, type TestServices } from '@evidence-locker/server/testing/test-services';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);
const PASSWORD = 'correct horse battery';

async function protectedServices(): Promise<TestServices> {
  return createTestServices({ config: { modem_type: 'fritzbox', admin_password: await hashPassword(PASSWORD) } });
}

describe('auth.login', () => {
  it('checks at most 5 passwords of 50 concurrent attempts from one address, so the right one last is refused', async () => {
    const { services } = await protectedServices();
    const attempts = Array.from({ length: 50 }, (_, i) => {
      const request = createTestContext(services, { clientAddress: '203.0.113.9' });
      const password = i === 49 ? PASSWORD : `guess ${i}`;
      return {
        request,
        outcome: createCaller(request.ctx)
          .auth.login({ password })
          .then(
            () => 'logged in',
            (error: { code?: string }) => error.code ?? 'unknown',
          ),
      };
    });
    const outcomes = await Promise.all(attempts.map((attempt) => attempt.outcome));
    const checked = attempts.flatMap((attempt) => attempt.request.logLines).filter((line) => line.fields['reason'] === 'wrong password');
    expect(checked).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome === 'UNAUTHORIZED')).toHaveLength(4);
    expect(outcomes.filter((outcome) => outcome === 'TOO_MANY_REQUESTS')).toHaveLength(46);
    expect(outcomes[49]).toBe('TOO_MANY_REQUESTS');
    expect(attempts.every((attempt) => attempt.request.cookie.value === undefined)).toBe(true);
  });

  it('lets the right password through while failures are under the limit, and clears them', async () => {
    const { services } = await protectedServices();
    const ip = { clientAddress: '203.0.113.10' };
    for (let i = 0; i < 4; i++) {
      await expect(createCaller(createTestContext(services, ip).ctx).auth.login({ password: 'wrong' })).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
    }
    const good = createTestContext(services, ip);
    await expect(createCaller(good.ctx).auth.login({ password: PASSWORD })).resolves.toEqual({ authenticated: true });
    expect(good.cookie.value).toBeDefined();
    // The success took back every counted failure: four more wrong ones are still plain refusals.
    for (let i = 0; i < 4; i++) {
      await expect(createCaller(createTestContext(services, ip).ctx).auth.login({ password: 'wrong' })).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
    }
  });

  it('refuses a wrong password, then locks the address out after 5 failures even for the right one', async () => {
    const { services } = await protectedServices();
    const requests: TestContext[] = [];
    const login = (password: string, clientAddress = '192.0.2.7') => {
      const request = createTestContext(services, { clientAddress });
      requests.push(request);
      return { request, outcome: createCaller(request.ctx).auth.login({ password }) };
    };
    for (let i = 0; i < 4; i++) {
      const { request, outcome } = login('wrong');
      const error = await outcome.catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Wrong password.' });
      expect(getHTTPStatusCodeFromError(error as TRPCError)).toBe(401);
      expect(request.cookie).toEqual({ value: undefined, cleared: false });
    }
    const fifth = await login('wrong').outcome.catch((caught: unknown) => caught);
    expect(getHTTPStatusCodeFromError(fifth as TRPCError)).toBe(429);
    expect(fifth).toMatchObject({ message: 'Too many failed logins from your address. Try again in 30 seconds.' });
    const locked = login(PASSWORD);
    expect(getHTTPStatusCodeFromError((await locked.outcome.catch((caught: unknown) => caught)) as TRPCError)).toBe(429);
    expect(locked.request.cookie).toEqual({ value: undefined, cleared: false });
    // Another address is not affected.
    await expect(login(PASSWORD, '198.51.100.4').outcome).resolves.toEqual({ authenticated: true });
    const refusals = requests.flatMap((request) => request.logLines).filter((line) => line.fields['audit'] === 'login.refused');
    expect(refusals).toHaveLength(6);
    expect(refusals[0]).toMatchObject({ level: 'warn', fields: { ip: '192.0.2.7', reason: 'wrong password' } });
    expect(refusals[5]).toMatchObject({ fields: { ip: '192.0.2.7', reason: 'locked out' } });
  });

  it('says LOGIN_NOT_NEEDED while no admin password is set, and sets no cookie', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const request = createTestContext(setup.services);
    const error = await createCaller(request.ctx)
      .auth.login({ password: 'anything' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: 'No admin password is set, so there is nothing to log in to.' });
    expect(refusalOf(error)?.code).toBe('LOGIN_NOT_NEEDED');
    expect(request.cookie.value).toBeUndefined();
  });

  it('turns a legacy plaintext admin password into a hash at the first good login, as DOCSight does', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox', admin_password: PASSWORD } });
    const { services } = setup;
    const cookie = await loggedIn(services);
    expect(services.instance.snapshot.adminPasswordRepr).toMatch(/^(scrypt|pbkdf2):/);
    expect(fs.readFileSync(path.join(setup.dataDir, 'config.json'), 'utf8')).not.toContain(PASSWORD);
    // The session was issued for the hash, and the same password still logs in.
    expect(await me(services, cookie)).toEqual({ authRequired: true, authenticated: true });
    expect(await me(services, await loggedIn(services))).toEqual({ authRequired: true, authenticated: true });
  });
});

/** Logs in through the router and returns the session cookie's value. */
async function loggedIn(services: TestServices['services']): Promise<string> {
  const request = createTestContext(services);
  await createCaller(request.ctx).auth.login({ password: PASSWORD });
  if (request.cookie.value === undefined) throw new Error('no session cookie');
  return request.cookie.value;
}

const me = (services: TestServices['services'], sessionToken: string) =>
  createCaller(createTestContext(services, { sessionToken }).ctx).auth.me();

describe('auth.logout', () => {
  it('ends the session on the server: the same cookie no longer works, other sessions do', async () => {
    const { services } = await protectedServices();
    const laptop = await loggedIn(services);
    const phone = await loggedIn(services);
    const request = createTestContext(services, { sessionToken: laptop });
    await expect(createCaller(request.ctx).auth.logout()).resolves.toEqual({ authenticated: false });
    expect(request.cookie.cleared).toBe(true);
    expect(await me(services, laptop)).toEqual({ authRequired: true, authenticated: false });
    await expect(createCaller(createTestContext(services, { sessionToken: laptop }).ctx).settings.get()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    expect(await me(services, phone)).toEqual({ authRequired: true, authenticated: true });
  });

  it('keeps a logged-out session ended after the server restarts', async () => {
    const { services } = await protectedServices();
    const cookie = await loggedIn(services);
    await createCaller(createTestContext(services, { sessionToken: cookie }).ctx).auth.logout();
    // What a restart does: config and keys read again from disk.
    await services.instance.reload();
    expect(await me(services, cookie)).toMatchObject({ authenticated: false });
  });
});

describe('auth.logoutEverywhere', () => {
  it('ends every session, this one included; a new login works', async () => {
    const { services } = await protectedServices();
    const laptop = await loggedIn(services);
    const phone = await loggedIn(services);
    const request = createTestContext(services, { sessionToken: laptop });
    await expect(createCaller(request.ctx).auth.logoutEverywhere()).resolves.toEqual({ authenticated: false });
    expect(request.cookie.cleared).toBe(true);
    expect(await me(services, laptop)).toMatchObject({ authenticated: false });
    expect(await me(services, phone)).toMatchObject({ authenticated: false });
    await services.instance.reload();
    expect(await me(services, phone)).toMatchObject({ authenticated: false });
    expect(await me(services, await loggedIn(services))).toMatchObject({ authenticated: true });
  });

  it('needs a session', async () => {
    const { services } = await protectedServices();
    const phone = await loggedIn(services);
    await expect(createCaller(createTestContext(services).ctx).auth.logoutEverywhere()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await me(services, phone)).toMatchObject({ authenticated: true });
  });

  it('says LOGIN_NOT_NEEDED while no admin password is set', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const request = createTestContext(setup.services);
    const error = await createCaller(request.ctx)
      .auth.logoutEverywhere()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: 'No admin password is set, so there are no sessions to end.' });
    expect(refusalOf(error)?.code).toBe('LOGIN_NOT_NEEDED');
    expect(request.cookie.cleared).toBe(false);
  });
});

describe('auth.me', () => {
  it('says no login is needed while no admin password is set', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    expect(await createCaller(createTestContext(setup.services).ctx).auth.me()).toEqual({ authRequired: false, authenticated: false });
  });

  it('says whether this request has a valid session once an admin password is set', async () => {
    const { services } = await protectedServices();
    expect(await createCaller(createTestContext(services).ctx).auth.me()).toEqual({ authRequired: true, authenticated: false });
    expect(await me(services, 'not a session')).toEqual({ authRequired: true, authenticated: false });
    expect(await me(services, await loggedIn(services))).toEqual({ authRequired: true, authenticated: true });
  });
});
