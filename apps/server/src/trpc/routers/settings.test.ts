import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext, createTestServices, type TestServices } from '../../test-support/test-services.ts';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);
let setup: TestServices | undefined;
afterEach(async () => {
  await setup?.cleanup();
  setup = undefined;
});

async function caller(config: Record<string, unknown> = { modem_type: 'fritzbox' }) {
  setup = await createTestServices({ config });
  return createCaller(createTestContext(setup.services).ctx);
}

describe('settings router', () => {
  it('reads DOCSight defaults, with BACKUP_DIR as the default path', async () => {
    const api = await caller();
    expect(await api.settings.get()).toEqual({
      backup_enabled: false,
      backup_path: setup!.backupDir,
      backup_interval_hours: 24,
      backup_retention: 5,
      browseRoots: [setup!.root],
    });
  });

  it('reads string values a hand-edited config may hold the way DOCSight does', async () => {
    const api = await caller({ backup_enabled: 'yes', backup_interval_hours: '168', backup_retention: '0' });
    expect(await api.settings.get()).toMatchObject({ backup_enabled: true, backup_interval_hours: 168, backup_retention: 5 });
  });

  it('saves all four keys into config.json, keeping the other keys', async () => {
    const api = await caller();
    let notified = 0;
    setup!.services.onBackupSettingsChanged = () => notified++;
    const target = path.join(setup!.root, 'nas');
    fs.mkdirSync(target);
    const saved = await createCaller(createTestContext(setup!.services).ctx).settings.update({
      backup_enabled: true,
      backup_path: target,
      backup_interval_hours: 168,
      backup_retention: 3,
    });
    expect(saved).toMatchObject({ backup_enabled: true, backup_path: target, backup_interval_hours: 168, backup_retention: 3 });
    expect(JSON.parse(fs.readFileSync(path.join(setup!.dataDir, 'config.json'), 'utf8'))).toEqual({
      modem_type: 'fritzbox',
      backup_path: target,
      backup_enabled: true,
      backup_interval_hours: 168,
      backup_retention: 3,
    });
    expect(notified).toBe(1);
    expect(await api.settings.get()).toMatchObject({ backup_retention: 3 });
  });

  it.each([
    [{ backup_interval_hours: 12 }, 'The backup interval must be 24 hours (daily) or 168 hours (weekly).'],
    [{ backup_retention: 0 }, 'Keep at least 1 backup.'],
    [{ backup_retention: 101 }, 'Keep at most 100 backups.'],
    [{ backup_retention: 2.5 }, 'The number of backups to keep must be a whole number.'],
    [{ backup_enabled: 'yes' }, 'backup_enabled must be true or false.'],
    [{ backup_path: '' }, 'Choose a backup directory.'],
  ])('refuses %j with a clear message', async (input, message) => {
    const api = await caller();
    await expect(api.settings.update(input as never)).rejects.toThrow(message);
  });

  it('refuses a backup path outside BROWSE_ROOTS', async () => {
    const api = await caller();
    await expect(api.settings.update({ backup_path: '/etc' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: `The backup path must lie inside ${setup!.root} (BROWSE_ROOTS); /etc does not.`,
    });
  });

  it('refuses the data directory and directories inside it', async () => {
    const api = await caller();
    fs.mkdirSync(path.join(setup!.dataDir, 'sub'));
    for (const candidate of [setup!.dataDir, path.join(setup!.dataDir, 'sub')]) {
      await expect(api.settings.update({ backup_path: candidate })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: 'The backup path must not be the data directory or inside it; choose a separate directory.',
      });
    }
  });

  it('refuses a symlink inside the roots that leads out of them', async () => {
    const api = await caller();
    const link = path.join(setup!.root, 'escape');
    fs.symlinkSync('/tmp', link);
    await expect(api.settings.update({ backup_path: link })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a missing directory and a relative path', async () => {
    const api = await caller();
    await expect(api.settings.update({ backup_path: path.join(setup!.root, 'nope') })).rejects.toThrow(/does not exist/);
    await expect(api.settings.update({ backup_path: 'backups' })).rejects.toThrow(/must be an absolute path/);
  });

  it('needs a session once an admin password is set', async () => {
    const api = await caller({ modem_type: 'fritzbox', admin_password: 'scrypt:32768:8:1$abc$def' });
    await expect(api.settings.get()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(api.settings.update({ backup_retention: 3 })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
