import fs from 'node:fs';
import path from 'node:path';
import { createBackup } from '@evidence-locker/core';
import { describe, expect, it } from 'vitest';
import { createTestContext, createTestServices } from '@evidence-locker/server/testing/test-services';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);

async function start(config: Record<string, unknown> = { modem_type: 'fritzbox' }) {
  const setup = await createTestServices({ config });
  const context = createTestContext(setup.services, { clientAddress: '192.0.2.19' });
  return { api: createCaller(context.ctx), setup, logLines: context.logLines };
}

describe('proof router', () => {
  it('runs a test restore of the newest backup as a job, and the state then says restorable as of its time', async () => {
    const { api, setup, logLines } = await start();
    const created = await createBackup({
      dataDir: setup.dataDir,
      destination: { kind: 'directory', backupDir: setup.backupDir },
      trigger: 'manual',
    });
    const job = await api.proof.run();
    expect(job).toMatchObject({ kind: 'test-restore', label: 'Test restore of the newest backup' });
    expect(await setup.services.jobs.wait(job.id)).toMatchObject({ state: 'succeeded', result: { fileName: created.fileName } });
    await setup.services.testRestores.idle();
    const state = await api.proof.state();
    expect(state.last).toMatchObject({ ok: true, fileName: created.fileName });
    expect(state.lastGood?.backupMadeAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(setup.services.testRestoreState()).toEqual(state);
    expect(logLines).toContainEqual(
      expect.objectContaining({ fields: expect.objectContaining({ audit: 'backup.test-restore-started', ip: '192.0.2.19' }) }),
    );
    expect(fs.readdirSync(setup.backupDir)).toEqual([created.fileName]);
  });

  it('records a failed test restore with the engine code and message', async () => {
    const { api, setup } = await start();
    const fileName = 'docsight_backup_2026-11-20_070000.tar.gz';
    fs.writeFileSync(path.join(setup.backupDir, fileName), 'not an archive');
    const job = await api.proof.run();
    expect(await setup.services.jobs.wait(job.id)).toMatchObject({ state: 'failed', error: { code: 'ARCHIVE_NOT_GZIP' } });
    await setup.services.testRestores.idle();
    expect((await api.proof.state()).last).toMatchObject({
      ok: false,
      fileName,
      code: 'ARCHIVE_NOT_GZIP',
      message: expect.stringMatching(/gzip/i),
    });
  });

  it('answers Run now without a backup with TEST_RESTORE_NO_BACKUP, naming the directory', async () => {
    const { api, setup } = await start();
    await expect(api.proof.run()).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `There is no backup in ${setup.backupDir} to test yet; make one first.`,
    });
  });

  it('saves the settings into config.json and refuses an interval outside 1..90 days', async () => {
    const { api, setup } = await start();
    await setup.services.testRestores.start();
    expect(await api.proof.state()).toMatchObject({ enabled: true, intervalDays: 7 });
    expect(await api.proof.update({ enabled: false, intervalDays: 30 })).toMatchObject({
      enabled: false,
      reason: 'turned off in the settings',
      intervalDays: 30,
    });
    const config = JSON.parse(fs.readFileSync(path.join(setup.dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ test_restore_enabled: false, test_restore_interval_days: 30, modem_type: 'fritzbox' });
    for (const intervalDays of [0, 91, 1.5]) {
      await expect(api.proof.update({ intervalDays })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    await expect(api.proof.update({ intervalDays: 0 })).rejects.toThrow('Test restores run at most once a day.');
    expect((await api.proof.update({ enabled: true })).enabled).toBe(true);
  });
});
