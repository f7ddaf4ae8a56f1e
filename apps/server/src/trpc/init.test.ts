import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LockerError } from '@evidence-locker/core';
import { issueSessionToken } from '../auth/session-token.ts';
import { createTestContext, createTestServices, type TestServices } from '../test-support/test-services.ts';
import { createCallerFactory, publicProcedure, router, setupProcedure } from './init.ts';

// A stand-in for the restore router, which is not written yet.
const restoreLike = router({
  upload: setupProcedure.mutation(() => 'uploaded'),
  restore: setupProcedure.input(z.object({ uploadId: z.string() })).mutation(({ input }) => input.uploadId),
  fails: publicProcedure.query(() => {
    throw new LockerError('BACKUP_NOT_FOUND', 'No backup named x.tar.gz.');
  }),
});
const createCaller = createCallerFactory(restoreLike);

let setup: TestServices | undefined;
afterEach(async () => {
  await setup?.cleanup();
  setup = undefined;
});

describe('setupProcedure', () => {
  it('limits an unconfigured instance to 5 attempts per address per hour, with an audit line', async () => {
    setup = await createTestServices();
    const { ctx, logLines } = createTestContext(setup.services, { clientAddress: '203.0.113.5' });
    const caller = createCaller(ctx);
    for (let i = 0; i < 5; i++) await caller.restore({ uploadId: `u${i}` });
    await expect(caller.restore({ uploadId: 'u5' })).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: 'Too many restore attempts from your address. Try again in 60 minutes.',
    });
    expect(logLines).toContainEqual(
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ audit: 'restore.refused', ip: '203.0.113.5' }) }),
    );
    // Another address has its own budget.
    await expect(createCaller(createTestContext(setup.services, { clientAddress: '203.0.113.6' }).ctx).upload()).resolves.toBe('uploaded');
  });

  it('counts a restore of an upload already counted once', async () => {
    setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    for (let i = 0; i < 5; i++) {
      setup.services.setupLimiter.consume('192.0.2.10', `upload-${i}`);
      await caller.restore({ uploadId: `upload-${i}` });
      await caller.restore({ uploadId: `upload-${i}` });
    }
    await expect(caller.restore({ uploadId: 'upload-5' })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it('is open and unlimited on a configured instance without an admin password, as in DOCSight', async () => {
    setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const caller = createCaller(createTestContext(setup.services).ctx);
    for (let i = 0; i < 8; i++) await caller.restore({ uploadId: `u${i}` });
  });

  it('needs a session once an admin password is set', async () => {
    setup = await createTestServices({ config: { modem_type: 'fritzbox', admin_password: 'scrypt:32768:8:1$abc$def' } });
    const { ctx, logLines } = createTestContext(setup.services);
    await expect(createCaller(ctx).upload()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(logLines).toContainEqual(expect.objectContaining({ fields: expect.objectContaining({ audit: 'restore.refused' }) }));
    const { sessionKey, adminPasswordRepr } = setup.services.instance.snapshot;
    const token = issueSessionToken(sessionKey, adminPasswordRepr);
    await expect(createCaller(createTestContext(setup.services, { sessionToken: token }).ctx).upload()).resolves.toBe('uploaded');
  });
});

describe('LockerError mapping', () => {
  it('turns a LockerError into the tRPC code of its error code, keeping the message', async () => {
    setup = await createTestServices();
    await expect(createCaller(createTestContext(setup.services).ctx).fails()).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'No backup named x.tar.gz.',
    });
  });
});
