import fs from 'node:fs';
import path from 'node:path';
import { backupFileName, createBackup, listBackups } from '@evidence-locker/core';
import { afterEach, describe, expect, it } from 'vitest';
import { serveTestApp } from '@evidence-locker/server/testing/serve-test-app';
import { createTestServices, type TestServices } from '@evidence-locker/server/testing/test-services';
import { TestClock } from '@evidence-locker/server/testing/test-clock';
import { BackupScheduler, retryDelayMinutes } from './backup-scheduler.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let setup: TestServices | undefined;
let scheduler: BackupScheduler | undefined;
afterEach(async () => {
  scheduler?.stop();
  await scheduler?.idle();
  scheduler = undefined;
});

async function startScheduler(
  config: Record<string, unknown>,
  options: {
    demoMode?: boolean;
    before?: (setup: TestServices) => Promise<void> | void;
    onBackupCreated?: (result: { fileName: string; path: string }) => void;
    /** Give the scheduler the services' verifications record. */
    verifications?: boolean;
  } = {},
) {
  setup = await createTestServices({ config: { modem_type: 'fritzbox', ...config }, ...(options.demoMode ? { demoMode: true } : {}) });
  await options.before?.(setup);
  const clock = new TestClock();
  const logLines: Array<{ fields: object; message: string }> = [];
  const line = (fields: object, message: string) => logLines.push({ fields, message });
  scheduler = new BackupScheduler({
    instance: setup.services.instance,
    jobs: setup.services.jobs,
    clock,
    startDelayMs: MINUTE,
    log: { info: line, warn: line },
    ...(options.onBackupCreated ? { onBackupCreated: options.onBackupCreated } : {}),
    ...(options.verifications ? { verifications: setup.services.verifications } : {}),
  });
  await scheduler.start();
  return { setup, scheduler, clock, logLines };
}

/** Advances the clock and waits for any backup that started to finish. */
async function advance(clock: TestClock, ms: number): Promise<void> {
  clock.advance(ms);
  await scheduler!.idle();
}

async function backupOnDisk(backupDir: string, trigger: 'scheduled' | 'manual' | 'pre-restore', hoursAgo: number): Promise<string> {
  const created = await createBackup({
    dataDir: setup!.dataDir,
    destination: { kind: 'directory', backupDir },
    trigger,
    now: new Date(Date.now() - hoursAgo * HOUR),
  });
  const time = new Date(Date.now() - hoursAgo * HOUR);
  fs.utimesSync(created.path!, time, time);
  return created.fileName;
}

function fileNames(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

describe('backup schedule', () => {
  it('seeds from the newest scheduled backup, not a newer manual one, and runs nothing while it is recent', async () => {
    let scheduled = '';
    const { setup, scheduler, clock } = await startScheduler(
      { backup_enabled: true },
      {
        before: async (setup) => {
          scheduled = await backupOnDisk(setup.backupDir, 'scheduled', 2);
          await backupOnDisk(setup.backupDir, 'manual', 0);
        },
      },
    );
    const before = fileNames(setup.backupDir);
    const state = scheduler.state();
    expect(state).toMatchObject({ enabled: true, reason: null, lastSuccessFile: scheduled, consecutiveFailures: 0, running: false });
    expect(Date.parse(state.nextRunAt!) - Date.parse(state.lastSuccessAt!)).toBe(24 * HOUR);
    expect(Date.parse(state.nextRunAt!) - clock.now()).toBeGreaterThan(21 * HOUR);
    expect(state.lastBackupAt).not.toBe(state.lastSuccessAt);
    await advance(clock, 10 * MINUTE);
    expect(fileNames(setup.backupDir)).toEqual(before);
    expect(setup.services.jobs.list()).toEqual([]);
  });

  it('dates the seed by the time in its name when the directory was copied without its times (every file modified now)', async () => {
    let scheduled = '';
    const { setup, scheduler, clock } = await startScheduler(
      { backup_enabled: true },
      {
        before: async (setup) => {
          scheduled = await backupOnDisk(setup.backupDir, 'scheduled', 30);
          // cp -r without -p: the 30-hour-old backup looks modified now.
          const now = new Date();
          fs.utimesSync(path.join(setup.backupDir, scheduled), now, now);
        },
      },
    );
    const state = scheduler.state();
    expect(state.lastSuccessFile).toBe(scheduled);
    expect(clock.now() - Date.parse(state.lastSuccessAt!)).toBeGreaterThan(29 * HOUR);
    expect(clock.now() - Date.parse(state.lastBackupAt!)).toBeGreaterThan(29 * HOUR);
    // Overdue: the next run is the first one after the start delay, not 24 hours after "now".
    expect(Date.parse(state.nextRunAt!) - clock.now()).toBeLessThanOrEqual(MINUTE);
    await advance(clock, MINUTE);
    expect(fileNames(setup.backupDir)).toHaveLength(2);
  });

  it('counts a DOCSight archive (no trigger) as the last scheduled one when there is no scheduled archive', async () => {
    const time = new Date(Date.now() - 3 * HOUR);
    const name = backupFileName(time);
    const { scheduler } = await startScheduler(
      { backup_enabled: true },
      {
        before: (setup) => {
          const file = path.join(setup.backupDir, name);
          fs.writeFileSync(file, 'a DOCSight archive');
          fs.utimesSync(file, time, time);
        },
      },
    );
    expect(scheduler.state()).toMatchObject({ lastSuccessFile: name });
    expect(Date.parse(scheduler.state().nextRunAt!) - Date.now()).toBeGreaterThan(20 * HOUR);
  });

  it('runs an overdue backup a minute after start, with trigger scheduled, then waits a full interval', async () => {
    const { setup, scheduler, clock, logLines } = await startScheduler(
      { backup_enabled: true, backup_retention: 2, backup_retention_include_manual: true },
      {
        before: async (setup) => {
          await backupOnDisk(setup.backupDir, 'scheduled', 30);
          await backupOnDisk(setup.backupDir, 'manual', 29);
          await backupOnDisk(setup.backupDir, 'manual', 28);
        },
      },
    );
    expect(Date.parse(scheduler.state().nextRunAt!)).toBe(clock.now() + MINUTE);
    await advance(clock, 59_000);
    expect(setup.services.jobs.list()).toEqual([]);
    await advance(clock, 1_000);
    const [job] = setup.services.jobs.list();
    expect(job).toMatchObject({ kind: 'backup', state: 'succeeded' });
    const backups = await listBackups(setup.backupDir);
    // Retention 2, manual backups included: the new scheduled backup and the newest manual one.
    expect(backups).toHaveLength(2);
    expect(backups[0]).toMatchObject({ trigger: 'scheduled' });
    const state = scheduler.state();
    expect(state).toMatchObject({ lastSuccessFile: backups[0]!.fileName, running: false, consecutiveFailures: 0 });
    expect(Date.parse(state.nextRunAt!)).toBe(Date.parse(state.lastSuccessAt!) + 24 * HOUR);
    expect(logLines.map((entry) => entry.message)).toContain('Scheduled backup created');
  });

  it('applies the whole saved rule: a pre-restore backup goes only once the rule includes it, and the state names the rule', async () => {
    const names: string[] = [];
    const { setup, scheduler, clock } = await startScheduler(
      { backup_enabled: true, backup_retention: 1, backup_retention_include_pre_restore: true },
      {
        before: async (setup) => {
          names.push(await backupOnDisk(setup.backupDir, 'pre-restore', 30));
          names.push(await backupOnDisk(setup.backupDir, 'manual', 29));
        },
      },
    );
    expect(scheduler.state().retentionRule).toEqual({ keepLast: 1, includeManual: false, includePreRestore: true });
    await advance(clock, MINUTE);
    expect(setup.services.jobs.list()[0]).toMatchObject({ kind: 'backup', state: 'succeeded' });
    const backups = await listBackups(setup.backupDir);
    // Keep 1, pre-restore included: the new scheduled backup; the manual one stays outside the rule.
    expect(backups.map((backup) => backup.trigger)).toEqual(['scheduled', 'manual']);
    expect(backups.map((backup) => backup.fileName)).not.toContain(names[0]);
  });

  it('prunes by the saved retention but keeps the newest backup that passed its verification', async () => {
    const names: string[] = [];
    const { setup, clock } = await startScheduler(
      { backup_enabled: true, backup_retention: 1 },
      {
        verifications: true,
        before: async (setup) => {
          names.push(await backupOnDisk(setup.backupDir, 'scheduled', 72));
          names.push(await backupOnDisk(setup.backupDir, 'scheduled', 50));
          names.push(await backupOnDisk(setup.backupDir, 'scheduled', 30));
          const entries = await listBackups(setup.backupDir);
          const entry = (name: string) => entries.find((candidate) => candidate.fileName === name)!;
          const at = new Date().toISOString();
          await setup.services.verifications.record(setup.backupDir, entry(names[2]!), { ok: false, at, message: 'damaged' });
          await setup.services.verifications.record(setup.backupDir, entry(names[1]!), { ok: true, at });
        },
      },
    );
    await advance(clock, MINUTE);
    const left = (await listBackups(setup.backupDir)).map((backup) => backup.fileName);
    // The new one (newest, not verified yet) and the newest one that passed; the damaged and the oldest go.
    expect(left).toHaveLength(2);
    expect(left[1]).toBe(names[1]);
    expect(left).not.toContain(names[2]);
    expect(left).not.toContain(names[0]);
  });

  it('hands each scheduled backup that succeeded to the offsite copies (its file name and path)', async () => {
    const created: string[] = [];
    const { setup, clock } = await startScheduler(
      { backup_enabled: true },
      { onBackupCreated: (result) => created.push(`${result.fileName}@${result.path}`) },
    );
    await advance(clock, MINUTE);
    const [backup] = await listBackups(setup.backupDir);
    expect(created).toEqual([`${backup!.fileName}@${path.join(setup.backupDir, backup!.fileName)}`]);
  });

  it('retries a failed backup after 1, then 2 minutes with a message naming the path and the cause; success resets the backoff', async () => {
    let missing = '';
    const { scheduler, clock, setup } = await startScheduler(
      { backup_enabled: true },
      {
        before: async (setup) => {
          missing = path.join(setup.root, 'nas');
          await setup.services.instance.updateConfig({ backup_path: missing });
        },
      },
    );
    await advance(clock, MINUTE);
    let state = scheduler.state();
    expect(state.consecutiveFailures).toBe(1);
    // The failed job's code and facts, so the dashboard can say it in the user's language.
    const failedJob = setup.services.jobs.list().find((job) => job.state === 'failed');
    expect(failedJob?.error?.code).toBeTruthy();
    expect(state).toMatchObject({ lastFailureCode: failedJob?.error?.code, lastFailureDetails: { path: missing } });
    const firstFailureAt = state.lastFailureAt;
    expect(state.failingSince).toBe(firstFailureAt);
    expect(state.lastFailureCode).toBe('DIRECTORY_NOT_FOUND');
    expect(state.lastFailureMessage).toBe(`${missing} does not exist. Create it, or if it is a disk or a share, check that it is mounted.`);
    expect(Date.parse(state.nextRunAt!)).toBe(Date.parse(state.lastFailureAt!) + MINUTE);

    await advance(clock, MINUTE);
    state = scheduler.state();
    expect(state.consecutiveFailures).toBe(2);
    // Failing since the first failure of the streak, not the latest.
    expect(state.failingSince).toBe(firstFailureAt);
    expect(state.lastFailureAt).not.toBe(firstFailureAt);
    expect(Date.parse(state.nextRunAt!)).toBe(Date.parse(state.lastFailureAt!) + 2 * MINUTE);

    fs.mkdirSync(missing);
    await advance(clock, 2 * MINUTE);
    state = scheduler.state();
    expect(state).toMatchObject({ consecutiveFailures: 0, running: false, failingSince: null });
    expect(fs.readdirSync(missing)).toEqual([state.lastSuccessFile]);
    expect(Date.parse(state.nextRunAt!)).toBe(Date.parse(state.lastSuccessAt!) + 24 * HOUR);
    // The last failure stays visible, older than the success.
    expect(Date.parse(state.lastFailureAt!)).toBeLessThan(Date.parse(state.lastSuccessAt!));

    fs.renameSync(missing, `${missing}-unmounted`);
    await advance(clock, 24 * HOUR);
    state = scheduler.state();
    expect(state.consecutiveFailures).toBe(1);
    expect(Date.parse(state.nextRunAt!)).toBe(Date.parse(state.lastFailureAt!) + MINUTE);
    expect(setup.services.jobs.list().filter((job) => job.state === 'failed')).toHaveLength(3);
  });

  it('says the backup path is a file, not a directory, and retries', async () => {
    const { scheduler, clock } = await startScheduler(
      { backup_enabled: true },
      {
        before: async (setup) => {
          const file = path.join(setup.root, 'not-a-dir');
          fs.writeFileSync(file, '');
          await setup.services.instance.updateConfig({ backup_path: file });
        },
      },
    );
    await advance(clock, MINUTE);
    expect(scheduler.state()).toMatchObject({
      lastFailureCode: 'NOT_A_DIRECTORY',
      lastFailureMessage: expect.stringMatching(/not-a-dir is a file, not a directory\.$/) as string,
    });
    expect(scheduler.state().nextRunAt).not.toBeNull();
  });

  it('forgets the last failure once another backup path is saved, not when the same one is saved again', async () => {
    let missing = '';
    const { scheduler, clock, setup } = await startScheduler(
      { backup_enabled: true },
      {
        before: async (setup) => {
          missing = path.join(setup.root, 'nas');
          await setup.services.instance.updateConfig({ backup_path: missing });
        },
      },
    );
    await advance(clock, MINUTE);
    expect(scheduler.state()).toMatchObject({ lastFailureCode: 'DIRECTORY_NOT_FOUND', lastFailureDetails: { path: missing } });

    // Saving again with the same path (another setting changed): the failure is still about it.
    await setup.services.instance.updateConfig({ backup_retention: 3 });
    await scheduler.reschedule();
    expect(scheduler.state()).toMatchObject({ lastFailureCode: 'DIRECTORY_NOT_FOUND', lastFailureAt: expect.any(String) as string });

    await setup.services.instance.updateConfig({ backup_path: setup.backupDir });
    // Gone at once, before the reload that follows a save has run.
    expect(scheduler.state()).toMatchObject({ lastFailureAt: null, lastFailureCode: null, consecutiveFailures: 0, failingSince: null });
    await scheduler.reschedule();
    expect(scheduler.state()).toMatchObject({
      backupPath: setup.backupDir,
      lastFailureAt: null,
      lastFailureMessage: null,
      lastFailureCode: null,
      lastFailureDetails: {},
    });
  });

  it('caps the retry delay at 60 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(retryDelayMinutes)).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it('stays off in demo mode and says so', async () => {
    const { setup, scheduler, clock } = await startScheduler({ backup_enabled: true }, { demoMode: true });
    expect(scheduler.state()).toMatchObject({ enabled: false, reason: 'demo mode', nextRunAt: null, nextBackupAt: null });
    await advance(clock, 48 * HOUR);
    expect(setup.services.jobs.list()).toEqual([]);
  });

  it('stays off while backup_enabled is off, and starts when the settings change', async () => {
    const { setup, scheduler, clock } = await startScheduler({});
    expect(scheduler.state()).toMatchObject({ enabled: false, reason: 'turned off in the settings', nextRunAt: null });
    await advance(clock, 48 * HOUR);
    expect(setup.services.jobs.list()).toEqual([]);

    await setup.services.instance.updateConfig({ backup_enabled: true, backup_interval_hours: 168 });
    await scheduler.reschedule();
    expect(scheduler.state()).toMatchObject({ enabled: true, reason: null, intervalHours: 168 });
    await advance(clock, MINUTE);
    const state = scheduler.state();
    expect(state.lastSuccessFile).not.toBeNull();
    expect(Date.parse(state.nextRunAt!)).toBe(Date.parse(state.lastSuccessAt!) + 168 * HOUR);
  });

  it('re-seeds from the new directory when the backup path changes', async () => {
    const { setup, scheduler } = await startScheduler({ backup_enabled: true });
    const other = path.join(setup.root, 'other');
    fs.mkdirSync(other);
    const seeded = await backupOnDisk(other, 'scheduled', 1);
    await setup.services.instance.updateConfig({ backup_path: other });
    await scheduler.reschedule();
    expect(scheduler.state()).toMatchObject({ backupPath: other, lastSuccessFile: seeded, previousBackupPaths: [setup.backupDir] });
    expect(Date.parse(scheduler.state().nextRunAt!) - Date.now()).toBeGreaterThan(22 * HOUR);

    // Moving back forgets nothing and names each earlier directory once, the newest first.
    await setup.services.instance.updateConfig({ backup_path: setup.backupDir });
    await scheduler.reschedule();
    expect(scheduler.state()).toMatchObject({ backupPath: setup.backupDir, previousBackupPaths: [other] });
  });

  it('runs nothing while paused and re-arms on resume', async () => {
    const { setup, scheduler, clock } = await startScheduler({ backup_enabled: true });
    scheduler.pause();
    expect(scheduler.state()).toMatchObject({ paused: true, nextRunAt: null, enabled: true });
    await advance(clock, 2 * HOUR);
    expect(setup.services.jobs.list()).toEqual([]);
    await scheduler.resume();
    expect(scheduler.state()).toMatchObject({ paused: false });
    expect(Date.parse(scheduler.state().nextRunAt!)).toBe(clock.now() + MINUTE);
    await advance(clock, MINUTE);
    expect(setup.services.jobs.list()).toMatchObject([{ kind: 'backup', state: 'succeeded' }]);
  });

  it('stays paused until every pause has been resumed', async () => {
    const { setup, scheduler, clock } = await startScheduler({ backup_enabled: true });
    scheduler.pause();
    scheduler.pause();
    await scheduler.resume();
    await advance(clock, HOUR);
    expect(scheduler.state().paused).toBe(true);
    expect(setup.services.jobs.list()).toEqual([]);
  });

  it('arms nothing after stop', async () => {
    const { setup, scheduler, clock } = await startScheduler({ backup_enabled: true });
    scheduler.stop();
    await scheduler.reschedule();
    await advance(clock, 48 * HOUR);
    expect(setup.services.jobs.list()).toEqual([]);
    expect(scheduler.state().nextRunAt).toBeNull();
  });
});

describe('backup schedule in the server', () => {
  it('starts with the server, reports through backups.schedule and the dashboard, and reschedules on a settings save', async () => {
    const { app } = await serveTestApp({ config: { modem_type: 'fritzbox' } });
    await app.ready();
    await app.locker.scheduler.idle();
    const schedule = async () => (await app.inject({ method: 'GET', url: '/trpc/backups.schedule' })).json().result.data;
    expect(await schedule()).toMatchObject({ enabled: false, reason: 'turned off in the settings' });

    const saved = await app.inject({ method: 'POST', url: '/trpc/settings.update', payload: { backup_enabled: true } });
    expect(saved.statusCode).toBe(200);
    await app.locker.scheduler.idle();
    const state = await schedule();
    expect(state).toMatchObject({ enabled: true, reason: null, running: false });
    expect(Date.parse(state.nextRunAt) - Date.now()).toBeGreaterThan(30_000);
    const dashboard = (await app.inject({ method: 'GET', url: '/trpc/dashboard.summary' })).json().result.data;
    expect(dashboard.schedule).toMatchObject({ enabled: true, nextBackupAt: state.nextRunAt });
  });
});
