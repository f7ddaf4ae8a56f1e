import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LockerError } from '@evidence-locker/core';
import { issueSessionToken } from '../auth/session-token.ts';
import { createTestContext, createTestServices } from '@evidence-locker/server/testing/test-services';
import { createCallerFactory, publicProcedure, router, setupProcedure } from './init.ts';

// A stand-in for the restore router's `uploaded` and `discard`.
const restoreLike = router({
  upload: setupProcedure.mutation(() => 'uploaded'),
  restore: setupProcedure.input(z.object({ uploadId: z.string() })).mutation(({ input }) => input.uploadId),
  fails: publicProcedure.query(() => {
    throw new LockerError('BACKUP_NOT_FOUND', 'No backup named x.tar.gz.');
  }),
});
const createCaller = createCallerFactory(restoreLike);

describe('setupProcedure', () => {
  it('lets a wizard look at and discard its uploads as often as it likes while unconfigured, counting nothing', async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services, { clientAddress: '203.0.113.5' }).ctx);
    for (let i = 0; i < 100; i++) await caller.restore({ uploadId: `u${i}` });
    // Counting happens where the work starts (restore/setup-access.ts): the whole budget is left.
    expect(setup.services.setupLimiter.consume('restore', '203.0.113.5')).toEqual({ allowed: true, remaining: 4 });
    expect(setup.services.setupLimiter.consume('upload', '203.0.113.5')).toEqual({ allowed: true, remaining: 59 });
  });

  it('is open and unlimited on a configured instance without an admin password, as in DOCSight', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const caller = createCaller(createTestContext(setup.services).ctx);
    for (let i = 0; i < 8; i++) await caller.restore({ uploadId: `u${i}` });
  });

  it('needs a session once an admin password is set', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox', admin_password: 'scrypt:32768:8:1$abc$def' } });
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
    const setup = await createTestServices();
    await expect(createCaller(createTestContext(setup.services).ctx).fails()).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'No backup named x.tar.gz.',
    });
  });
});
