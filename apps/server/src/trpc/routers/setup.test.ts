import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPasswordHash, fernetDecrypt, readConfigKey } from '@evidence-locker/core';
import { verifySessionToken } from '../../auth/session-token.ts';
import { createTestContext, createTestServices } from '@evidence-locker/server/testing/test-services';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);
const validSetup = {
  modemType: 'fritzbox' as const,
  modemUrl: 'http://192.168.178.1',
  modemUser: 'admin',
  modemPassword: 'modem-secret',
};

describe('setup router', () => {
  it('reports a fresh instance as unconfigured and open', async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    expect(await caller.setup.state()).toEqual({
      configured: false,
      demoMode: false,
      demoModeForced: false,
      hasAdminPassword: false,
      needsLogin: false,
    });
  });

  it('starts demo mode by saving exactly {"demo_mode": true}, as DOCSight does, and seeds the demo rows in a job', async () => {
    const setup = await createTestServices();
    const { ctx, logLines } = createTestContext(setup.services);
    const caller = createCaller(ctx);
    const started = await caller.setup.startDemo();
    expect(started).toEqual({ configured: true, demoMode: true, jobId: expect.any(String) });
    expect(fs.readFileSync(path.join(setup.dataDir, 'config.json'), 'utf8')).toBe('{\n  "demo_mode": true\n}');
    expect(await caller.setup.state()).toMatchObject({ configured: true, demoMode: true });
    expect(logLines).toContainEqual(expect.objectContaining({ fields: expect.objectContaining({ audit: 'demo.started' }) }));

    const job = await setup.services.jobs.wait(started.jobId);
    expect(job).toMatchObject({ kind: 'demo-seed', state: 'succeeded', error: null });
    // DOCSight's demo contract: 270 days of 15-minute snapshots.
    const counts = await caller.dashboard.summary();
    expect(counts.databases.history.tables?.['snapshots']).toBe(25_920);
    expect(setup.services.instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots WHERE is_demo = 1').get()).toEqual({ n: 25_920 });
  });

  it('refuses to start demo mode on a configured instance', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const caller = createCaller(createTestContext(setup.services).ctx);
    await expect(caller.setup.startDemo()).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/already configured/),
    });
    expect(JSON.parse(fs.readFileSync(path.join(setup.dataDir, 'config.json'), 'utf8'))).toEqual({ modem_type: 'fritzbox' });
  });

  it('reports demo mode forced by DEMO_MODE', async () => {
    const setup = await createTestServices({ demoMode: true });
    const caller = createCaller(createTestContext(setup.services).ctx);
    expect(await caller.setup.state()).toMatchObject({ configured: true, demoMode: true, demoModeForced: true });
  });

  it('completes setup with the modem password Fernet-encrypted and the admin password scrypt-hashed', async () => {
    const setup = await createTestServices();
    const { ctx, cookie } = createTestContext(setup.services);
    const caller = createCaller(ctx);
    expect(await caller.setup.completeSetup({ ...validSetup, adminPassword: 'correct horse' })).toEqual({
      configured: true,
      hasAdminPassword: true,
    });
    const saved = JSON.parse(fs.readFileSync(path.join(setup.dataDir, 'config.json'), 'utf8'));
    expect(Object.keys(saved)).toEqual(['modem_type', 'modem_url', 'modem_user', 'modem_password', 'admin_password']);
    expect(saved).toMatchObject({ modem_type: 'fritzbox', modem_url: 'http://192.168.178.1', modem_user: 'admin' });
    expect(saved.modem_password).toMatch(/^gAAAAA/);
    const key = await readConfigKey(setup.dataDir);
    expect(Buffer.from(fernetDecrypt(key!, saved.modem_password)).toString('utf8')).toBe('modem-secret');
    expect(saved.admin_password).toMatch(/^scrypt:32768:8:1\$/);
    expect(await checkPasswordHash(saved.admin_password, 'correct horse')).toBe(true);
    // The client that set the password is logged in; anyone else must log in.
    const { sessionKey, adminPasswordRepr } = setup.services.instance.snapshot;
    expect(verifySessionToken(cookie.value, sessionKey, adminPasswordRepr)).toBe(true);
    const stranger = createCaller(createTestContext(setup.services).ctx);
    expect(await stranger.setup.state()).toMatchObject({ hasAdminPassword: true, needsLogin: true });
  });

  it('completes setup without an admin password, leaving everything open', async () => {
    const setup = await createTestServices();
    const { ctx, cookie } = createTestContext(setup.services);
    await createCaller(ctx).setup.completeSetup(validSetup);
    const saved = JSON.parse(fs.readFileSync(path.join(setup.dataDir, 'config.json'), 'utf8'));
    expect(saved).not.toHaveProperty('admin_password');
    expect(cookie.value).toBeUndefined();
  });

  it('refuses setup on a configured instance and leaves config.json alone', async () => {
    const setup = await createTestServices({ config: { demo_mode: true } });
    const before = fs.readFileSync(path.join(setup.dataDir, 'config.json'), 'utf8');
    const caller = createCaller(createTestContext(setup.services).ctx);
    await expect(caller.setup.completeSetup(validSetup)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(fs.readFileSync(path.join(setup.dataDir, 'config.json'), 'utf8')).toBe(before);
  });

  it('refuses an unknown modem type, a URL without http(s) and a short admin password', async () => {
    const setup = await createTestServices();
    const caller = createCaller(createTestContext(setup.services).ctx);
    await expect(caller.setup.completeSetup({ ...validSetup, modemType: 'nokia' as never })).rejects.toThrow(
      /Choose a modem type DOCSight supports/,
    );
    await expect(caller.setup.completeSetup({ ...validSetup, modemUrl: '192.168.178.1' })).rejects.toThrow(
      /must start with http:\/\/ or https:\/\//,
    );
    await expect(caller.setup.completeSetup({ ...validSetup, adminPassword: 'short' })).rejects.toThrow(/at least 8 characters/);
    expect(fs.existsSync(path.join(setup.dataDir, 'config.json'))).toBe(false);
  });

  it('lists DOCSight modem types with fritzbox first', async () => {
    const setup = await createTestServices();
    const types = await createCaller(createTestContext(setup.services).ctx).setup.modemTypes();
    expect(types[0]).toEqual({ key: 'fritzbox', name: 'AVM FRITZ!Box', defaultUrl: 'http://192.168.178.1' });
    expect(types.map((type) => type.key)).toContain('vodafone_station');
  });
});
