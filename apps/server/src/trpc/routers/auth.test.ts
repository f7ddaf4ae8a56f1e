import { hashPassword } from '@evidence-locker/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext, createTestServices, type TestServices } from '../../test-support/test-services.ts';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);
const PASSWORD = 'correct horse battery';

let setup: TestServices | undefined;
afterEach(async () => {
  await setup?.cleanup();
  setup = undefined;
});

async function protectedServices(): Promise<TestServices> {
  setup = await createTestServices({ config: { modem_type: 'fritzbox', admin_password: await hashPassword(PASSWORD) } });
  return setup;
}

describe('auth.login', () => {
  it('checks at most 5 passwords of 50 concurrent attempts from one address, so the right one last is refused', async () => {
    const { services } = await protectedServices();
    const attempts = Array.from({ length: 50 }, (_, i) => {
      const request = createTestContext(services, { clientAddress: '203.0.113.9' });
      const password = i === 49 ? PASSWORD : `guess ${i}`;
      return { request, outcome: createCaller(request.ctx).auth.login({ password }).then(
        () => 'logged in',
        (error: { code?: string }) => error.code ?? 'unknown',
      ) };
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
      await expect(createCaller(createTestContext(services, ip).ctx).auth.login({ password: 'wrong' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    const good = createTestContext(services, ip);
    await expect(createCaller(good.ctx).auth.login({ password: PASSWORD })).resolves.toEqual({ authenticated: true });
    expect(good.cookie.value).toBeDefined();
    // The success took back every counted failure: four more wrong ones are still plain refusals.
    for (let i = 0; i < 4; i++) {
      await expect(createCaller(createTestContext(services, ip).ctx).auth.login({ password: 'wrong' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });
});
