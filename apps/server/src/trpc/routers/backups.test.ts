import fs from 'node:fs';
import path from 'node:path';
import { hashPassword, listBackups } from '@evidence-locker/core';
import { describe, expect, it } from 'vitest';
import { BackupJobResultSchema } from '../../backups/backup-job.ts';
import { createTestContext, createTestServices } from '@evidence-locker/server/testing/test-services';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;

async function start(config: Record<string, unknown> = { modem_type: 'fritzbox' }) {
  const setup = await createTestServices({ config });
  const context = createTestContext(setup.services, { clientAddress: '192.0.2.44' });
  return { api: createCaller(context.ctx), setup, logLines: context.logLines };
}

/** Writes a file named like a backup with the given age in hours (its mtime). */
function fakeBackup(dir: string, fileName: string, hoursAgo: number, content = 'not really an archive'): string {
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, content);
  const time = new Date(Date.now() - hoursAgo * 3600_000);
  fs.utimesSync(file, time, time);
  return file;
}

describe('backups router', () => {
  it('lists nothing for an empty backup directory and names the directory', async () => {
    const { api, setup } = await start();
    expect(await api.backups.list()).toEqual({ backupPath: setup.backupDir, backups: [] });
  });

  it('creates a manual backup as a job in the saved path, lists it newest first with trigger and offset time', async () => {
    const { api, setup, logLines } = await start();
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-01_000000.tar.gz', 48);
    const job = await api.backups.create();
    expect(job).toMatchObject({ kind: 'backup', state: expect.stringMatching(/queued|running/) });
    const final = await setup.services.jobs.wait(job.id);
    expect(final.state).toBe('succeeded');
    const result = BackupJobResultSchema.parse(final.result);
    expect(fs.existsSync(path.join(setup.backupDir, result.fileName))).toBe(true);

    const { backups } = await api.backups.list();
    expect(backups.map((backup) => backup.fileName)).toEqual([result.fileName, 'docsight_backup_2020-01-01_000000.tar.gz']);
    expect(backups[0]).toMatchObject({ trigger: 'manual', size: result.size, verified: null });
    expect(backups[0]!.modified).toMatch(ISO_WITH_OFFSET);
    expect(backups[1]!.trigger).toBeNull();
    expect(logLines).toContainEqual(
      expect.objectContaining({ fields: expect.objectContaining({ audit: 'backup.created', ip: '192.0.2.44', file: result.fileName }) }),
    );
  });

  it('returns the Backup now job still in progress instead of queueing a second backup', async () => {
    const { api, setup } = await start();
    const first = await api.backups.create();
    const second = await api.backups.create();
    expect(second.id).toBe(first.id);
    await setup.services.jobs.wait(first.id);
    const third = await api.backups.create();
    expect(third.id).not.toBe(first.id);
    await setup.services.jobs.wait(third.id);
    expect(fs.readdirSync(setup.backupDir)).toHaveLength(2);
  });

  it('prunes to the saved retention after Backup now; its own backup, made by hand, stays outside the rule', async () => {
    const { api, setup } = await start({ modem_type: 'fritzbox', backup_retention: 2 });
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-01_000000.tar.gz', 72);
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-02_000000.tar.gz', 48);
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-03_000000.tar.gz', 24);
    const final = await setup.services.jobs.wait((await api.backups.create()).id);
    const result = BackupJobResultSchema.parse(final.result);
    expect(result.pruned).toEqual(['docsight_backup_2020-01-01_000000.tar.gz']);
    expect(fs.readdirSync(setup.backupDir).sort()).toEqual(
      ['docsight_backup_2020-01-02_000000.tar.gz', 'docsight_backup_2020-01-03_000000.tar.gz', result.fileName].sort(),
    );
  });

  it('keeps the newest backup that did not fail its verification: the new one is not proven yet', async () => {
    const { api, setup } = await start({ modem_type: 'fritzbox', backup_retention: 1, backup_retention_include_manual: true });
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-01_000000.tar.gz', 72);
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-02_000000.tar.gz', 48);
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-03_000000.tar.gz', 24);
    const entries = await listBackups(setup.backupDir);
    const at = new Date().toISOString();
    const entry = (name: string) => entries.find((candidate) => candidate.fileName === name)!;
    await setup.services.verifications.record(setup.backupDir, entry('docsight_backup_2020-01-03_000000.tar.gz'), {
      ok: false,
      at,
      code: 'DATABASE_CORRUPT',
      message: 'corrupt',
    });
    await setup.services.verifications.record(setup.backupDir, entry('docsight_backup_2020-01-02_000000.tar.gz'), { ok: true, at });
    const final = await setup.services.jobs.wait((await api.backups.create()).id);
    const result = BackupJobResultSchema.parse(final.result);
    expect(result.pruned).toEqual(['docsight_backup_2020-01-03_000000.tar.gz', 'docsight_backup_2020-01-01_000000.tar.gz']);
    expect(
      fs
        .readdirSync(setup.backupDir)
        .filter((name) => name.startsWith('docsight_backup_'))
        .sort(),
    ).toEqual(['docsight_backup_2020-01-02_000000.tar.gz', result.fileName].sort());
  });

  it('counts Backup now against the retention when the settings include manual backups, keeping the new one', async () => {
    const { api, setup } = await start({ modem_type: 'fritzbox', backup_retention: 2, backup_retention_include_manual: true });
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-01_000000.tar.gz', 72);
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-02_000000.tar.gz', 48);
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-03_000000.tar.gz', 24);
    const final = await setup.services.jobs.wait((await api.backups.create()).id);
    const result = BackupJobResultSchema.parse(final.result);
    expect(result.pruned).toEqual(['docsight_backup_2020-01-02_000000.tar.gz', 'docsight_backup_2020-01-01_000000.tar.gz']);
    expect(fs.readdirSync(setup.backupDir).sort()).toEqual(['docsight_backup_2020-01-03_000000.tar.gz', result.fileName].sort());
  });

  it('fails the backup job saying the saved directory does not exist, and does not create it', async () => {
    const { api, setup } = await start();
    const missing = path.join(setup.root, 'gone');
    await setup.services.instance.updateConfig({ backup_path: missing });
    const final = await setup.services.jobs.wait((await api.backups.create()).id);
    expect(final.state).toBe('failed');
    expect(final.error).toMatchObject({
      code: 'DIRECTORY_NOT_FOUND',
      message: `${missing} does not exist. Create it, or if it is a disk or a share, check that it is mounted.`,
      details: { path: missing },
    });
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('backs up into BACKUP_DIR, never into the data directory, when a hand-edited config names it', async () => {
    const { api, setup } = await start();
    await setup.services.instance.updateConfig({ backup_path: setup.dataDir });
    const job = await setup.services.jobs.wait((await api.backups.create()).id);
    expect(job.state).toBe('succeeded');
    expect(path.dirname(BackupJobResultSchema.parse(job.result).path)).toBe(setup.backupDir);
    expect(fs.readdirSync(setup.dataDir).filter((name) => name.startsWith('docsight_backup_'))).toEqual([]);
  });

  it('deletes a backup by file name and writes an audit line', async () => {
    const { api, setup, logLines } = await start();
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-01_000000.tar.gz', 1);
    expect(await api.backups.delete({ fileName: 'docsight_backup_2020-01-01_000000.tar.gz' })).toEqual({
      fileName: 'docsight_backup_2020-01-01_000000.tar.gz',
    });
    expect(fs.readdirSync(setup.backupDir)).toEqual([]);
    expect(logLines).toContainEqual(
      expect.objectContaining({ fields: expect.objectContaining({ audit: 'backup.deleted', ip: '192.0.2.44' }) }),
    );
  });

  it.each(['config.json', '../data/config.json', 'sub/docsight_backup_2020-01-01_000000.tar.gz', `/tmp/x.tar.gz`, 'docsis_history.db'])(
    'refuses to delete %j, which is not a backup, and deletes nothing',
    async (fileName) => {
      const { api, setup } = await start();
      fs.writeFileSync(path.join(setup.backupDir, 'config.json'), '{}');
      fs.writeFileSync(path.join(setup.backupDir, 'docsis_history.db'), 'db');
      await expect(api.backups.delete({ fileName })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      expect(fs.readdirSync(setup.backupDir).sort()).toEqual(['config.json', 'docsis_history.db']);
      expect(fs.existsSync(path.join(setup.dataDir, 'config.json'))).toBe(true);
    },
  );

  it('says NOT_FOUND when deleting a backup that is not there', async () => {
    const { api } = await start();
    await expect(api.backups.delete({ fileName: 'docsight_backup_2020-01-01_000000.tar.gz' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('never deletes from the data directory when a hand-edited config names it as the backup path', async () => {
    const { api, setup } = await start();
    await setup.services.instance.updateConfig({ backup_path: setup.dataDir });
    fakeBackup(setup.dataDir, 'docsight_backup_2020-01-01_000000.tar.gz', 1);
    // The instance uses BACKUP_DIR instead, where no such backup exists.
    await expect(api.backups.delete({ fileName: 'docsight_backup_2020-01-01_000000.tar.gz' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(fs.existsSync(path.join(setup.dataDir, 'docsight_backup_2020-01-01_000000.tar.gz'))).toBe(true);
  });

  it('verifies a backup as a job and the list then shows it verified', async () => {
    const { api, setup, logLines } = await start();
    const created = BackupJobResultSchema.parse((await setup.services.jobs.wait((await api.backups.create()).id)).result);
    const job = await api.backups.verify({ fileName: created.fileName });
    expect(job.kind).toBe('verify');
    const final = await setup.services.jobs.wait(job.id);
    expect(final.state).toBe('succeeded');
    expect(final.result).toMatchObject({
      fileName: created.fileName,
      databasesChecked: ['docsis_history.db', 'connection_monitor.db'],
      checksumsVerified: true,
    });
    const [listed] = (await api.backups.list()).backups;
    expect(listed!.verified).toEqual({ ok: true, at: expect.stringMatching(ISO_WITH_OFFSET) });
    expect(logLines).toContainEqual(
      expect.objectContaining({ fields: expect.objectContaining({ audit: 'backup.verified', ip: '192.0.2.44', ok: true }) }),
    );
  });

  it('fails verification of a truncated backup and lists it as not ok with the reason', async () => {
    const { api, setup } = await start();
    const created = BackupJobResultSchema.parse((await setup.services.jobs.wait((await api.backups.create()).id)).result);
    const bytes = fs.readFileSync(created.path);
    const broken = 'docsight_backup_2020-01-01_000000.tar.gz';
    fs.writeFileSync(path.join(setup.backupDir, broken), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const final = await setup.services.jobs.wait((await api.backups.verify({ fileName: broken })).id);
    expect(final.state).toBe('failed');
    const listed = (await api.backups.list()).backups.find((backup) => backup.fileName === broken);
    expect(listed!.verified).toMatchObject({ ok: false, message: final.error!.message });
    // The good one was never verified.
    expect((await api.backups.list()).backups.find((backup) => backup.fileName === created.fileName)!.verified).toBeNull();
  });

  it('shows a backup as unverified again once the file changed', async () => {
    const { api, setup } = await start();
    const created = BackupJobResultSchema.parse((await setup.services.jobs.wait((await api.backups.create()).id)).result);
    await setup.services.jobs.wait((await api.backups.verify({ fileName: created.fileName })).id);
    fs.appendFileSync(created.path, 'x');
    expect((await api.backups.list()).backups[0]!.verified).toBeNull();
  });

  it('answers verify of a bad name or a missing backup at once, without a job', async () => {
    const { api, setup } = await start();
    await expect(api.backups.verify({ fileName: 'config.json' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(api.backups.verify({ fileName: 'docsight_backup_2020-01-01_000000.tar.gz' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(setup.services.jobs.list()).toEqual([]);
  });

  it('browses from the backup path by default and lists {name, path} directories', async () => {
    const { api, setup } = await start();
    fs.mkdirSync(path.join(setup.backupDir, 'nightly'));
    const listing = await api.backups.browse();
    expect(listing).toMatchObject({
      path: setup.backupDir,
      parent: setup.root,
      directories: [{ name: 'nightly', path: path.join(setup.backupDir, 'nightly') }],
    });
    expect((await api.backups.browse({ path: setup.root })).directories.map((entry) => entry.name)).toEqual(['backups', 'data']);
  });

  it('marks the data directory and what lies inside it as no place for backups, and names the free space', async () => {
    const { api, setup } = await start();
    fs.mkdirSync(path.join(setup.dataDir, 'inside'));
    const atRoot = await api.backups.browse({ path: setup.root });
    expect(atRoot.directories).toEqual([
      { name: 'backups', path: setup.backupDir, inDataDir: false },
      { name: 'data', path: setup.dataDir, inDataDir: true },
    ]);
    expect(atRoot.inDataDir).toBe(false);
    expect(atRoot.freeBytes).toBeGreaterThan(0);
    expect(await api.backups.browse({ path: setup.dataDir })).toMatchObject({
      inDataDir: true,
      directories: [{ name: 'inside', inDataDir: true }],
    });
  });

  it('makes a new folder inside the roots, with an audit line, and refuses one in the data directory or with a bad name', async () => {
    const { api, setup, logLines } = await start();
    expect(await api.backups.createFolder({ parent: setup.root, name: 'nas' })).toEqual({ path: path.join(setup.root, 'nas') });
    expect(fs.statSync(path.join(setup.root, 'nas')).isDirectory()).toBe(true);
    expect(logLines).toContainEqual(
      expect.objectContaining({ fields: { audit: 'folder.created', ip: '192.0.2.44', path: path.join(setup.root, 'nas') } }),
    );
    await expect(api.backups.createFolder({ parent: setup.root, name: 'nas' })).rejects.toMatchObject({
      code: 'CONFLICT',
      cause: { code: 'DIRECTORY_EXISTS' },
    });
    await expect(api.backups.createFolder({ parent: setup.dataDir, name: 'backups' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      cause: { code: 'BACKUP_PATH_IN_DATA_DIR' },
    });
    await expect(api.backups.createFolder({ parent: setup.root, name: '..' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      cause: { code: 'FOLDER_NAME_INVALID', details: { name: '..' } },
    });
    await expect(api.backups.createFolder({ parent: '/etc', name: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      cause: { code: 'PATH_NOT_ALLOWED' },
    });
    expect(fs.existsSync(path.join(setup.dataDir, 'backups'))).toBe(false);
    expect(fs.existsSync('/etc/x')).toBe(false);
  });

  it('starts browsing at the first root when the backup path is gone, and refuses paths outside the roots', async () => {
    const { api, setup } = await start();
    await setup.services.instance.updateConfig({ backup_path: path.join(setup.root, 'gone') });
    expect((await api.backups.browse()).path).toBe(setup.root);
    await expect(api.backups.browse({ path: '/etc' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('reports the schedule, off until it is started', async () => {
    const { api, setup } = await start();
    expect(await api.backups.schedule()).toMatchObject({
      enabled: false,
      reason: 'not started',
      backupPath: setup.backupDir,
      nextRunAt: null,
    });
  });

  it('refuses every backup procedure with UNAUTHORIZED when an admin password is set and there is no session', async () => {
    const { api, setup } = await start({ modem_type: 'fritzbox', admin_password: await hashPassword('secret password') });
    fakeBackup(setup.backupDir, 'docsight_backup_2020-01-01_000000.tar.gz', 1);
    const calls = [
      () => api.backups.list(),
      () => api.backups.create(),
      () => api.backups.delete({ fileName: 'docsight_backup_2020-01-01_000000.tar.gz' }),
      () => api.backups.verify({ fileName: 'docsight_backup_2020-01-01_000000.tar.gz' }),
      () => api.backups.browse(),
      () => api.backups.createFolder({ parent: setup.root, name: 'nas' }),
      () => api.backups.schedule(),
    ];
    for (const call of calls) await expect(call()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(fs.readdirSync(setup.backupDir)).toEqual(['docsight_backup_2020-01-01_000000.tar.gz']);
    expect(setup.services.jobs.list()).toEqual([]);
    expect(fs.existsSync(path.join(setup.root, 'nas'))).toBe(false);
  });
});
