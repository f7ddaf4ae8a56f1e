import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBackup, toPythonJson } from '@evidence-locker/core';
import { describe, expect, it, vi } from 'vitest';
import { injectFsFault } from '@evidence-locker/core/testing/inject-fs-fault';
import { openInstance } from '../../instance/instance.ts';
import { restoreRunningInstance } from '../../restore/restore-running-instance.ts';
import { serveTestApp } from '@evidence-locker/server/testing/serve-test-app';
import { createTestContext, createTestServices, type TestServices } from '@evidence-locker/server/testing/test-services';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

// The tests run as root on a disk that is neither read-only nor full: Save's test write is made to fail.
vi.mock('node:fs/promises', async (importOriginal) =>
  (await import('@evidence-locker/core/testing/inject-fs-fault')).fsPromisesWithFaults(importOriginal),
);

const createCaller = createCallerFactory(appRouter);
/** The instance of the running test, shared with the helpers below (removed when the test finishes). */
let setup: TestServices | undefined;

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
      backup_retention_days: 0,
      backup_retention_daily: 0,
      backup_retention_weekly: 0,
      backup_retention_monthly: 0,
      backup_retention_include_manual: false,
      backup_retention_include_pre_restore: false,
      browseRoots: [setup!.root],
      backupPathWarning: null,
    });
  });

  it('reads the retention by age from a hand-edited config: strings as numbers, nonsense as off, too much as the limit', async () => {
    const api = await caller({
      backup_retention_days: '30',
      backup_retention_daily: -3,
      backup_retention_weekly: 99_999,
      backup_retention_monthly: 'twelve',
      backup_retention_include_manual: 'yes',
      backup_retention_include_pre_restore: 'true',
    });
    expect(await api.settings.get()).toMatchObject({
      backup_retention_days: 30,
      backup_retention_daily: 0,
      backup_retention_weekly: 520,
      backup_retention_monthly: 0,
      backup_retention_include_manual: true,
      backup_retention_include_pre_restore: true,
    });
  });

  it('saves the retention by age into config.json (0 = off) and tells the schedule', async () => {
    await caller();
    let notified = 0;
    setup!.services.onBackupSettingsChanged = () => {
      notified += 1;
    };
    // The context takes the hook when it is made.
    const saved = await createCaller(createTestContext(setup!.services).ctx).settings.update({
      backup_retention_days: 0,
      backup_retention_daily: 7,
      backup_retention_weekly: 4,
      backup_retention_monthly: 12,
      backup_retention_include_manual: true,
      backup_retention_include_pre_restore: true,
    });
    expect(saved).toMatchObject({ backup_retention_daily: 7, backup_retention_weekly: 4, backup_retention_monthly: 12 });
    expect(JSON.parse(fs.readFileSync(path.join(setup!.dataDir, 'config.json'), 'utf8'))).toMatchObject({
      backup_retention_days: 0,
      backup_retention_daily: 7,
      backup_retention_weekly: 4,
      backup_retention_monthly: 12,
      backup_retention_include_manual: true,
      backup_retention_include_pre_restore: true,
    });
    expect(notified).toBe(1);
  });

  it.each([
    [{ backup_retention_days: -1 }, /days to keep every backup must be 0 \(off\) or more/],
    [{ backup_retention_daily: 3651 }, /daily backups to keep must be at most 3650/],
    [{ backup_retention_weekly: 2.5 }, /weekly backups to keep must be a whole number/],
    [{ backup_retention_monthly: '12' }, /monthly backups to keep must be a number from 0 \(off\) to 1200/],
    [{ backup_retention_include_manual: 'yes' }, /backup_retention_include_manual must be true or false/],
    [{ backup_retention_include_pre_restore: 1 }, /backup_retention_include_pre_restore must be true or false/],
  ])('refuses %j with a message saying what is wrong, saving nothing', async (input, message) => {
    const api = await caller();
    const before = fs.readFileSync(path.join(setup!.dataDir, 'config.json'), 'utf8');
    await expect(api.settings.update(input as never)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(message),
    });
    expect(fs.readFileSync(path.join(setup!.dataDir, 'config.json'), 'utf8')).toBe(before);
  });

  it('answers a save only once the schedule is armed again, so the next read shows the next run', async () => {
    const api = await caller();
    await setup!.services.scheduler.start();
    expect(setup!.services.scheduler.state()).toMatchObject({ enabled: false, nextRunAt: null });
    const target = path.join(setup!.root, 'nas');
    fs.mkdirSync(target);
    await api.settings.update({ backup_enabled: true, backup_path: target, backup_interval_hours: 168 });
    // Read at once, as the settings page does after Save (CI once showed "Not scheduled" here).
    expect(setup!.services.scheduler.state()).toMatchObject({
      enabled: true,
      backupPath: target,
      intervalHours: 168,
      nextRunAt: expect.any(String),
    });
  });

  it('reads string values a hand-edited config may hold the way DOCSight does', async () => {
    const api = await caller({ backup_enabled: 'yes', backup_interval_hours: '168', backup_retention: '0' });
    expect(await api.settings.get()).toMatchObject({ backup_enabled: true, backup_interval_hours: 168, backup_retention: 5 });
  });

  it('saves all four keys into config.json, keeping the other keys', async () => {
    const api = await caller();
    let notified = 0;
    setup!.services.onBackupSettingsChanged = () => {
      notified += 1;
    };
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

  it('refuses a backup path outside BROWSE_ROOTS, naming the roots', async () => {
    const api = await caller();
    await expect(api.settings.update({ backup_path: '/etc' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: `The backup path must lie inside ${setup!.root} (BROWSE_ROOTS); /etc does not.`,
      cause: { code: 'PATH_NOT_ALLOWED', details: { path: '/etc', roots: setup!.root } },
    });
  });

  it('refuses the data directory and directories inside it, and says why', async () => {
    const api = await caller();
    fs.mkdirSync(path.join(setup!.dataDir, 'sub'));
    for (const candidate of [setup!.dataDir, path.join(setup!.dataDir, 'sub')]) {
      await expect(api.settings.update({ backup_path: candidate })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message:
          `The backup path ${candidate} is the data directory or inside it: a backup there is lost with the data it protects. ` +
          'Choose a directory outside it, ideally on another disk.',
        cause: { code: 'BACKUP_PATH_IN_DATA_DIR', details: { path: candidate, dataDir: setup!.dataDir } },
      });
    }
  });

  it.each([
    ['EROFS', 'READ_ONLY_FILE_SYSTEM', 'CONFLICT', 'is on a read-only file system'],
    ['EACCES', 'WRITE_PERMISSION_DENIED', 'CONFLICT', `runs as uid ${process.getuid!()} and may not write to`],
    // DISK_FULL is a 507 for raw routes; tRPC has no such code.
    ['ENOSPC', 'DISK_FULL', 'INTERNAL_SERVER_ERROR', 'is full: not even a small test file fits there'],
  ])('refuses a directory whose test write fails with %s as %s, and saves nothing', async (errno, code, status, words) => {
    const api = await caller();
    const target = path.join(setup!.root, 'nas');
    fs.mkdirSync(target);
    injectFsFault('open', errno, (file) => path.dirname(file) === target);
    const refused = api.settings.update({ backup_path: target, backup_enabled: true });
    await expect(refused).rejects.toMatchObject({ code: status, cause: { code, details: { path: target } } });
    await expect(refused).rejects.toThrow(words);
    expect(JSON.parse(fs.readFileSync(path.join(setup!.dataDir, 'config.json'), 'utf8'))).toEqual({ modem_type: 'fritzbox' });
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it('writes, reads back and removes a test file in the directory it saves', async () => {
    const api = await caller();
    const target = path.join(setup!.root, 'nas');
    fs.mkdirSync(target);
    const written: string[] = [];
    injectFsFault('open', 'UNUSED', (file) => {
      if (path.dirname(file) === target) written.push(path.basename(file));
      return false;
    });
    await api.settings.update({ backup_path: target });
    expect(written).toEqual([expect.stringMatching(/^\.evidence-locker-probe-[0-9a-f]{16}$/)]);
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it('refuses a file as the backup path', async () => {
    const api = await caller();
    const file = path.join(setup!.root, 'file');
    fs.writeFileSync(file, 'x');
    await expect(api.settings.update({ backup_path: file })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      cause: { code: 'NOT_A_DIRECTORY', details: { path: file } },
    });
  });

  it('refuses a symlink inside the roots that leads out of them', async () => {
    const api = await caller();
    const link = path.join(setup!.root, 'escape');
    fs.symlinkSync('/tmp', link);
    await expect(api.settings.update({ backup_path: link })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a missing directory and a relative path', async () => {
    const api = await caller();
    await expect(api.settings.update({ backup_path: path.join(setup!.root, 'nope') })).rejects.toMatchObject({
      message: expect.stringContaining('does not exist') as string,
      cause: { code: 'DIRECTORY_NOT_FOUND' },
    });
    await expect(api.settings.update({ backup_path: 'backups' })).rejects.toThrow(/must be an absolute path/);
  });

  it('refuses a NUL byte in a path with a 400 validation error, in settings and in browse', async () => {
    const api = await caller();
    const withNul = `${setup!.root}/a\0b`;
    await expect(api.settings.update({ backup_path: withNul })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('A path must not contain a NUL byte.'),
    });
    await expect(api.backups.browse({ path: withNul })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('A path must not contain a NUL byte.'),
    });
    expect(JSON.parse(fs.readFileSync(path.join(setup!.dataDir, 'config.json'), 'utf8'))).toEqual({ modem_type: 'fritzbox' });
  });

  it('answers a NUL byte over HTTP with 400 and its message, and logs no failure', async () => {
    const { app, logLines } = await serveTestApp({ config: { modem_type: 'fritzbox' } });
    const response = await app.inject({ method: 'POST', url: '/trpc/settings.update', payload: { backup_path: '/tmp/x\u0000y' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe('A path must not contain a NUL byte.');
    expect(logLines.filter((line) => Number(line['level']) >= 50)).toEqual([]);
  });

  it('needs a session once an admin password is set', async () => {
    const api = await caller({ modem_type: 'fritzbox', admin_password: 'scrypt:32768:8:1$abc$def' });
    await expect(api.settings.get()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(api.settings.update({ backup_retention: 3 })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('a restored config.json whose backup_path breaks the backup-path rule', () => {
  /** An archive of a fresh instance whose config.json holds `backupPath`. */
  async function archiveWithBackupPath(backupPath: string): Promise<string> {
    const source = path.join(setup!.root, 'source');
    const sourceInstance = await openInstance({ dataDir: source, backupDir: path.join(source, 'b'), browseRoots: [source] });
    await sourceInstance.close();
    fs.writeFileSync(path.join(source, 'config.json'), toPythonJson({ modem_type: 'fritzbox', backup_path: backupPath }));
    const archives = fs.mkdtempSync(path.join(setup!.root, 'archives-'));
    const { path: archive } = await createBackup({
      dataDir: source,
      destination: { kind: 'directory', backupDir: archives },
      trigger: 'manual',
    });
    fs.rmSync(source, { recursive: true });
    return archive!;
  }

  const backupsIn = (dir: string): string[] => fs.readdirSync(dir).filter((name) => name.startsWith('docsight_backup_'));

  it('says so in the settings and lists BACKUP_DIR as where backups go, not /etc', async () => {
    const api = await caller();
    await restoreRunningInstance({ instance: setup!.services.instance, archivePath: await archiveWithBackupPath('/etc') });
    expect(await api.settings.get()).toMatchObject({
      backup_path: setup!.backupDir,
      backupPathWarning: {
        path: '/etc',
        code: 'PATH_NOT_ALLOWED',
        message: `The backup path must lie inside ${setup!.root} (BROWSE_ROOTS); /etc does not.`,
      },
    });
    expect((await api.backups.list()).backupPath).toBe(setup!.backupDir);
  });

  it('backs up into BACKUP_DIR, not into a directory outside BROWSE_ROOTS', async () => {
    const api = await caller();
    const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'el-outside-roots-')));
    try {
      await restoreRunningInstance({ instance: setup!.services.instance, archivePath: await archiveWithBackupPath(outside) });
      expect((await api.settings.get()).backupPathWarning).toMatchObject({ path: outside, code: 'PATH_NOT_ALLOWED' });
      const job = await setup!.services.jobs.wait((await api.backups.create()).id);
      expect(job.state).toBe('succeeded');
      expect(path.dirname((job.result as { path: string }).path)).toBe(setup!.backupDir);
      expect(fs.readdirSync(outside)).toEqual([]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('keeps backups and the next pre-restore backup out of the data directory', async () => {
    const api = await caller();
    const dataDir = setup!.dataDir;
    await restoreRunningInstance({ instance: setup!.services.instance, archivePath: await archiveWithBackupPath(dataDir) });
    expect(await api.settings.get()).toMatchObject({
      backup_path: setup!.backupDir,
      backupPathWarning: {
        path: dataDir,
        code: 'BACKUP_PATH_IN_DATA_DIR',
        message: expect.stringContaining(`The backup path ${dataDir} is the data directory or inside it`) as string,
      },
    });
    const job = await setup!.services.jobs.wait((await api.backups.create()).id);
    expect(job.state).toBe('succeeded');
    expect(path.dirname((job.result as { path: string }).path)).toBe(setup!.backupDir);
    const second = await restoreRunningInstance({ instance: setup!.services.instance, archivePath: await archiveWithBackupPath(dataDir) });
    expect(second.preRestoreBackup).not.toBeNull();
    expect(backupsIn(setup!.backupDir)).toContain(second.preRestoreBackup!.fileName);
    expect(backupsIn(dataDir)).toEqual([]);
  });

  it('clears the warning once a valid path is saved', async () => {
    const api = await caller();
    await restoreRunningInstance({ instance: setup!.services.instance, archivePath: await archiveWithBackupPath('/etc') });
    const nas = path.join(setup!.root, 'nas');
    fs.mkdirSync(nas);
    expect(await api.settings.update({ backup_path: nas })).toMatchObject({ backup_path: nas, backupPathWarning: null });
  });
});
