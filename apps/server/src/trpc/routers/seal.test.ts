import fs from 'node:fs';
import path from 'node:path';
import {
  generateSealIdentity,
  hashPassword,
  identityFileText,
  parseIdentityText,
  readConfigKey,
  readSealSettings,
} from '@evidence-locker/core';
import { sealBytes } from '@evidence-locker/core/testing/sealed-bytes';
import { directoryPicture, finished, FIXTURE_A, FIXTURE_A_SNAPSHOTS } from '@evidence-locker/server/testing/restore-support';
import { createTestContext, createTestServices, type TestServices } from '@evidence-locker/server/testing/test-services';
import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../errors/server-refusal.ts';
import { PendingSealKeys } from '../../seal/pending-seal-keys.ts';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);
const PASSWORD = 'correct horse battery';
const PASSPHRASE = 'four unrelated words, kept';

type Services = TestServices['services'];

/** An instance with an admin password, and a caller with a session on it. */
async function protectedInstance() {
  const setup = await createTestServices({ config: { modem_type: 'fritzbox', admin_password: await hashPassword(PASSWORD) } });
  const login = createTestContext(setup.services, { clientAddress: '192.0.2.60' });
  await createCaller(login.ctx).auth.login({ password: PASSWORD });
  const sessionToken = login.cookie.value!;
  const context = () => createTestContext(setup.services, { clientAddress: '192.0.2.60', sessionToken });
  return { setup, sessionToken, context, api: () => createCaller(context().ctx) };
}

function configText(setup: TestServices): string {
  return fs.readFileSync(path.join(setup.dataDir, 'config.json'), 'utf8');
}

/** Turns identity sealing on through prepare and confirm; returns the kit's identity and the confirm answer. */
async function sealWithNewIdentity(api: ReturnType<typeof createCaller>) {
  const prepared = await api.seal.prepare({ mode: 'identity' });
  const confirmed = await api.seal.confirm({ pendingId: prepared.pendingId, kept: true });
  const [identity] = parseIdentityText(prepared.kit.text);
  return { prepared, confirmed, identity: identity! };
}

async function backupNow(services: Services, api: ReturnType<typeof createCaller>): Promise<string> {
  const job = await finished(services.jobs, await api.backups.create());
  expect(job.state).toBe('succeeded');
  if (job.kind !== 'backup' || !job.result) throw new Error('no backup result');
  return job.result.fileName;
}

describe('seal.prepare and seal.confirm', () => {
  it('saves nothing until the kit is kept, then stores the identity Fernet-encrypted and never returns it', async () => {
    const { setup, api, context } = await protectedInstance();
    expect(await api().seal.get()).toEqual({ mode: 'off', recipient: null, keyCreatedAt: null, retiredKeys: 0, problem: null });

    const prepared = await api().seal.prepare({ mode: 'identity' });
    expect(prepared).toMatchObject({
      pendingId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      mode: 'identity',
      recipient: expect.stringMatching(/^age1[0-9a-z]{58}$/),
      kit: { fileName: expect.stringMatching(/^evidence-locker-recovery-kit-\d{4}-\d{2}-\d{2}\.txt$/) },
    });
    // 30 minutes from when the key was put aside (a few ms after it was made).
    expect(Date.parse(prepared.expiresAt) - Date.parse(prepared.createdAt)).toBeGreaterThanOrEqual(30 * 60_000);
    expect(Date.parse(prepared.expiresAt) - Date.parse(prepared.createdAt)).toBeLessThan(31 * 60_000);
    const [identity] = parseIdentityText(prepared.kit.text);
    expect(prepared.kit.text).toContain(`# public key: ${prepared.recipient}`);
    // Nothing saved yet.
    expect(configText(setup)).not.toContain('backup_seal');
    expect((await api().seal.get()).mode).toBe('off');

    const confirming = context();
    const confirmed = await createCaller(confirming.ctx).seal.confirm({ pendingId: prepared.pendingId, kept: true });
    expect(confirmed).toEqual({
      mode: 'identity',
      recipient: prepared.recipient,
      keyCreatedAt: prepared.createdAt,
      retiredKeys: 0,
      problem: null,
      replacedKey: false,
    });
    const config = JSON.parse(configText(setup)) as Record<string, unknown>;
    expect(config['backup_seal_mode']).toBe('identity');
    expect(config['backup_seal_recipient']).toBe(prepared.recipient);
    expect(config['backup_seal_identity']).toMatch(/^gAAAAA/);
    expect(configText(setup)).not.toContain(identity!);
    // The saved value decrypts to the kit's identity with the instance's .config_key.
    expect(readSealSettings(config as never, await readConfigKey(setup.dataDir)).identity).toBe(identity);
    expect(JSON.stringify(await api().seal.get())).not.toContain('AGE-SECRET-KEY');
    expect(JSON.stringify(confirming.logLines)).not.toContain('AGE-SECRET-KEY');
    expect(confirming.logLines).toContainEqual(
      expect.objectContaining({ fields: expect.objectContaining({ audit: 'seal.changed', mode: 'identity' }) }),
    );
  });

  it('stores a passphrase encrypted; its kit holds no secret', async () => {
    const { setup, api } = await protectedInstance();
    const prepared = await api().seal.prepare({ mode: 'passphrase', passphrase: PASSPHRASE });
    expect(prepared.recipient).toBeNull();
    expect(prepared.kit.text).not.toContain(PASSPHRASE);
    expect(prepared.kit.text).toContain('The passphrase is NOT in this file');
    expect(await api().seal.confirm({ pendingId: prepared.pendingId, kept: true })).toMatchObject({
      mode: 'passphrase',
      replacedKey: false,
    });
    expect(configText(setup)).not.toContain(PASSPHRASE);
    expect(JSON.parse(configText(setup))).toMatchObject({
      backup_seal_mode: 'passphrase',
      backup_seal_passphrase: expect.stringMatching(/^gAAAAA/),
    });
  });

  it('refuses a short passphrase with what it needs, and a confirm that does not say the kit was kept', async () => {
    const { api } = await protectedInstance();
    await expect(api().seal.prepare({ mode: 'passphrase', passphrase: 'short' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('at least 12 characters'),
    });
    const prepared = await api().seal.prepare({ mode: 'identity' });
    await expect(api().seal.confirm({ pendingId: prepared.pendingId, kept: false as never })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('kept the recovery kit'),
    });
  });

  it('answers SEAL_PENDING_GONE for a key confirmed already, an unknown one, and one past its 30 minutes', async () => {
    const { setup, api, context } = await protectedInstance();
    const gone = async (call: Promise<unknown>) => {
      const error = await call.catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'NOT_FOUND' });
      expect(refusalOf(error)?.code).toBe('SEAL_PENDING_GONE');
      expect(refusalOf(error)?.message).toBe('The key you were setting up has expired or was already saved: start again.');
    };
    const prepared = await api().seal.prepare({ mode: 'identity' });
    await api().seal.confirm({ pendingId: prepared.pendingId, kept: true });
    await gone(api().seal.confirm({ pendingId: prepared.pendingId, kept: true }));
    await gone(api().seal.confirm({ pendingId: '00000000-0000-4000-8000-000000000000', kept: true }));

    let now = Date.now();
    const clocked = { ...context().ctx, pendingSealKeys: new PendingSealKeys({ now: () => now }) };
    const late = await createCaller(clocked).seal.prepare({ mode: 'passphrase', passphrase: PASSPHRASE });
    now += 30 * 60_000;
    await gone(createCaller(clocked).seal.confirm({ pendingId: late.pendingId, kept: true }));
    // The expired key was never saved: the identity set above is still the one in use.
    expect(await api().seal.get()).toMatchObject({ mode: 'identity', recipient: prepared.recipient });
    expect(configText(setup)).not.toContain('backup_seal_passphrase');
  });

  it('keeps at most 16 keys waiting, the oldest making room', () => {
    const pending = new PendingSealKeys();
    const ids = Array.from(
      { length: 17 },
      (_, i) => pending.add({ mode: 'passphrase', passphrase: `p${i}`, createdAt: new Date().toISOString() }).pendingId,
    );
    expect(pending.size).toBe(16);
    expect(pending.take(ids[0]!)).toBeUndefined();
    expect(pending.take(ids[16]!)?.change).toMatchObject({ passphrase: 'p16' });
  });
});

describe('seal.kit', () => {
  it('gives the current key again after the admin password, refuses a wrong one as login does', async () => {
    const { api, context } = await protectedInstance();
    const { identity, prepared } = await sealWithNewIdentity(api());

    const wrong = context();
    const error = await createCaller(wrong.ctx)
      .seal.kit({ password: 'not it' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Wrong password.' });
    expect(refusalOf(error)?.code).toBe('LOGIN_FAILED');
    expect(wrong.logLines).toContainEqual(
      expect.objectContaining({
        fields: expect.objectContaining({ audit: 'login.refused', reason: 'wrong password', purpose: 'seal.kit' }),
      }),
    );

    const kit = await api().seal.kit({ password: PASSWORD });
    expect(kit.fileName).toBe(prepared.kit.fileName);
    expect(parseIdentityText(kit.text)).toEqual([identity]);
  });

  it('counts wrong passwords against the login limit of the address', async () => {
    const { api, context } = await protectedInstance();
    await sealWithNewIdentity(api());
    for (let i = 0; i < 4; i++) await expect(api().seal.kit({ password: `guess ${i}` })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(api().seal.kit({ password: 'guess 5' })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    // Locked out for the login too, even with the right password.
    await expect(createCaller(context().ctx).auth.login({ password: PASSWORD })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it('answers SEAL_OFF when sealing is off, and needs no password on an instance without one', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const api = createCaller(createTestContext(setup.services).ctx);
    const error = await api.seal.kit({ password: '' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CONFLICT', message: 'Sealing is off: there is no key to make a recovery kit for.' });
    expect(refusalOf(error)?.code).toBe('SEAL_OFF');

    await api.seal.confirm({ pendingId: (await api.seal.prepare({ mode: 'passphrase', passphrase: PASSPHRASE })).pendingId, kept: true });
    const kit = await api.seal.kit({ password: '' });
    expect(kit.text).toContain('The passphrase is NOT in this file');

    expect(await api.seal.disable()).toMatchObject({ mode: 'off' });
    await expect(api.seal.kit({ password: '' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('a key change', () => {
  it('says it replaced a key; a backup sealed with the old key still verifies and restores here', async () => {
    const { setup, api } = await protectedInstance();
    const { services } = setup;
    const first = await sealWithNewIdentity(api());
    const oldBackup = await backupNow(services, api());
    expect(oldBackup).toMatch(/^docsight_backup_.*\.tar\.gz\.age$/);

    const second = await sealWithNewIdentity(api());
    expect(second.confirmed).toMatchObject({ mode: 'identity', replacedKey: true, retiredKeys: 1 });
    expect(second.confirmed.recipient).not.toBe(first.confirmed.recipient);
    expect(configText(setup)).not.toContain(first.identity);

    const verified = await finished(services.jobs, await api().backups.verify({ fileName: oldBackup }));
    expect(verified).toMatchObject({ state: 'succeeded' });
    const newBackup = await backupNow(services, api());
    const listed = await api().backups.list();
    expect(listed.backups.find((entry) => entry.fileName === oldBackup)).toMatchObject({ sealed: 'identity', trigger: 'manual' });
    expect(listed.backups.find((entry) => entry.fileName === newBackup)).toMatchObject({ sealed: 'identity', trigger: 'manual' });

    const restored = await finished(services.jobs, await api().restore.start({ fileName: oldBackup }));
    expect(restored).toMatchObject({ state: 'succeeded' });
    // The old backup holds the config of its time, with the first key: the restored instance seals with it.
    expect(services.instance.hasAdminPassword).toBe(true);
    const state = readSealSettings(services.instance.snapshot.config, services.instance.snapshot.configKey);
    expect(state).toMatchObject({ mode: 'identity', recipient: first.confirmed.recipient, identity: first.identity });
    // The pre-restore backup was sealed like the others.
    if (restored.kind !== 'restore' || !restored.result) throw new Error('no restore result');
    expect(restored.result.preRestoreBackup?.fileName).toMatch(/\.tar\.gz\.age$/);
  });

  it('restores a backup sealed with a key this instance never held only with that key given, leaving the data as it was before', async () => {
    const { setup, api } = await protectedInstance();
    const { services } = setup;
    await sealWithNewIdentity(api());
    const foreign = await generateSealIdentity();
    const fileName = 'docsight_backup_2026-02-01_120000.tar.gz.age';
    fs.writeFileSync(
      path.join(setup.backupDir, fileName),
      await sealBytes(fs.readFileSync(FIXTURE_A), { recipients: [foreign.recipient] }),
    );
    const before = directoryPicture(setup.dataDir);

    const refused = await finished(services.jobs, await api().restore.start({ fileName }));
    expect(refused).toMatchObject({ state: 'failed', error: { code: 'SEAL_WRONG_IDENTITY' } });
    expect(directoryPicture(setup.dataDir)).toEqual(before);
    const unverified = await finished(services.jobs, await api().backups.verify({ fileName }));
    expect(unverified).toMatchObject({ state: 'failed', error: { code: 'SEAL_WRONG_IDENTITY' } });

    await expect(api().restore.start({ fileName, key: { identity: 'AGE-SECRET-KEY-1 not one' } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      cause: expect.objectContaining({ code: 'SEAL_KEY_INVALID' }),
    });
    const kitText = await identityFileText(foreign.identity, ['the other instance’s kit']);
    const verified = await finished(services.jobs, await api().backups.verify({ fileName, key: { identity: kitText } }));
    expect(verified).toMatchObject({ state: 'succeeded' });
    const restored = await finished(services.jobs, await api().restore.start({ fileName, key: { identity: kitText } }));
    expect(restored).toMatchObject({ state: 'succeeded' });
    expect(services.instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: FIXTURE_A_SNAPSHOTS });
  });
});
