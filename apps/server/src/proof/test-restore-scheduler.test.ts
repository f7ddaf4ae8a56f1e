import fs from 'node:fs';
import path from 'node:path';
import { backupFileName, createBackup, formatLocalIso } from '@evidence-locker/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestServices, type TestServices } from '@evidence-locker/server/testing/test-services';
import { TestClock } from '@evidence-locker/server/testing/test-clock';
import type { AlertSignals, AlertSubject } from '../alerts/alert-signals.ts';
import { serverSchedules, withSchedulePaused } from '../restore/schedule-pause.ts';
import { TestRestoreScheduler } from './test-restore-scheduler.ts';
import { TEST_RESTORE_STATE_FILE } from './test-restore-record.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let scheduler: TestRestoreScheduler | undefined;
afterEach(async () => {
  scheduler?.stop();
  await scheduler?.idle();
  scheduler = undefined;
});

/** Alert signals that remember what they were told. */
function recordingAlerts(): AlertSignals & { told: Array<{ ok: boolean; subject: AlertSubject; code?: string; fileName?: string }> } {
  const told: Array<{ ok: boolean; subject: AlertSubject; code?: string; fileName?: string }> = [];
  return {
    told,
    failed: (subject, failure) =>
      told.push({ ok: false, subject, code: failure.code, ...(failure.fileName ? { fileName: failure.fileName } : {}) }),
    succeeded: (subject, success) => told.push({ ok: true, subject, ...(success.fileName ? { fileName: success.fileName } : {}) }),
  };
}

async function startScheduler(setup: TestServices, clock: TestClock, alerts = recordingAlerts()) {
  scheduler = new TestRestoreScheduler({
    instance: setup.services.instance,
    jobs: setup.services.jobs,
    alerts: () => alerts,
    clock,
    startDelayMs: 10 * MINUTE,
  });
  await scheduler.start();
  return { scheduler, alerts };
}

async function advance(clock: TestClock, ms: number): Promise<void> {
  clock.advance(ms);
  await scheduler!.idle();
}

/** A backup of the test instance, its file dated `at`. */
async function backupAt(setup: TestServices, at: number): Promise<string> {
  const created = await createBackup({
    dataDir: setup.dataDir,
    destination: { kind: 'directory', backupDir: setup.backupDir },
    trigger: 'scheduled',
    now: new Date(at),
  });
  fs.utimesSync(created.path!, new Date(at), new Date(at));
  return created.fileName;
}

/** A file under a backup's name that is no archive, dated `at`. */
function brokenBackupAt(setup: TestServices, at: number): string {
  const fileName = 'docsight_backup_2030-01-01_000000.tar.gz';
  fs.writeFileSync(path.join(setup.backupDir, fileName), 'not an archive');
  fs.utimesSync(path.join(setup.backupDir, fileName), new Date(at), new Date(at));
  return fileName;
}

describe('test restore schedule', () => {
  it('runs the first test restore after the start delay, records it and waits the interval for the next', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const clock = new TestClock();
    const fileName = await backupAt(setup, clock.now() - HOUR);
    const { scheduler, alerts } = await startScheduler(setup, clock);
    expect(scheduler.state()).toMatchObject({ enabled: true, reason: null, intervalDays: 7, last: null, lastGood: null, running: false });
    expect(Date.parse(scheduler.state().nextRunAt!)).toBe(clock.now() + 10 * MINUTE);

    await advance(clock, 9 * MINUTE);
    expect(scheduler.state().last).toBeNull();
    await advance(clock, MINUTE);
    const state = scheduler.state();
    expect(state.last).toMatchObject({ ok: true, fileName });
    expect(state.lastGood).toEqual(state.last);
    expect(state.last?.backupMadeAt).not.toBeNull();
    expect(Date.parse(state.nextRunAt!)).toBe(Date.parse(state.last!.at) + 7 * DAY);
    expect(alerts.told).toEqual([{ ok: true, subject: { kind: 'test-restore' }, fileName }]);
    // Nothing but the backup is left in the backup directory.
    expect(fs.readdirSync(setup.backupDir).filter((name) => name.startsWith('.evidence-locker-test-restore-'))).toEqual([]);

    // Six days later nothing has run; on the seventh the next one does.
    await advance(clock, 6 * DAY);
    expect(alerts.told).toHaveLength(1);
    await advance(clock, DAY);
    expect(alerts.told).toHaveLength(2);
  });

  it('reports a failure once per run, retries a day later, and reports the recovery', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const clock = new TestClock();
    await backupAt(setup, clock.now() - 2 * HOUR);
    const broken = brokenBackupAt(setup, clock.now() - HOUR);
    const { scheduler, alerts } = await startScheduler(setup, clock);
    await advance(clock, 10 * MINUTE);
    const failed = scheduler.state().last;
    expect(failed).toMatchObject({ ok: false, fileName: broken, code: 'ARCHIVE_NOT_GZIP' });
    expect(failed?.message).toMatch(/gzip/i);
    expect(scheduler.state().lastGood).toBeNull();
    expect(Date.parse(scheduler.state().nextRunAt!)).toBe(Date.parse(failed!.at) + DAY);
    expect(alerts.told).toEqual([{ ok: false, subject: { kind: 'test-restore' }, code: 'ARCHIVE_NOT_GZIP', fileName: broken }]);

    // The broken file is removed and a new backup made: the retry a day later passes.
    fs.rmSync(path.join(setup.backupDir, broken));
    const good = await backupAt(setup, clock.now());
    await advance(clock, DAY);
    expect(scheduler.state().last).toMatchObject({ ok: true, fileName: good });
    expect(alerts.told.at(-1)).toEqual({ ok: true, subject: { kind: 'test-restore' }, fileName: good });
  });

  it("dates a backup copied without its times by its name, not by the copy: the failed run's backup is 3 days old", async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const clock = new TestClock();
    // Made three days ago, copied into the directory just now (cp without -t): its mtime is the copy's.
    const madeAt = new Date(Math.floor((clock.now() - 3 * DAY) / 1000) * 1000);
    const fileName = backupFileName(madeAt);
    fs.writeFileSync(path.join(setup.backupDir, fileName), 'not an archive');
    const { scheduler } = await startScheduler(setup, clock);
    await advance(clock, 10 * MINUTE);
    expect(scheduler.state().last).toMatchObject({ ok: false, fileName, code: 'ARCHIVE_NOT_GZIP', backupMadeAt: formatLocalIso(madeAt) });
  });

  it('keeps its record across a restart, so it neither forgets "restorable as of" nor runs again early', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const clock = new TestClock();
    await backupAt(setup, clock.now() - HOUR);
    const first = await startScheduler(setup, clock);
    await advance(clock, 10 * MINUTE);
    const last = first.scheduler.state().last;
    expect(last?.ok).toBe(true);
    expect(fs.existsSync(path.join(setup.dataDir, TEST_RESTORE_STATE_FILE))).toBe(true);
    first.scheduler.stop();

    clock.advance(DAY);
    const second = await startScheduler(setup, clock);
    expect(second.scheduler.state().last).toEqual(last);
    expect(second.scheduler.state().lastGood).toEqual(last);
    expect(Date.parse(second.scheduler.state().nextRunAt!)).toBe(Date.parse(last!.at) + 7 * DAY);
    await advance(clock, HOUR);
    expect(second.alerts.told).toEqual([]);
  });

  it('never runs in demo mode, and not while turned off; saving the settings turns it on', async () => {
    const demo = await createTestServices({ config: { modem_type: 'fritzbox' }, demoMode: true });
    const clock = new TestClock();
    await backupAt(demo, clock.now() - HOUR);
    const inDemo = await startScheduler(demo, clock);
    expect(inDemo.scheduler.state()).toMatchObject({ enabled: false, reason: 'demo mode', nextRunAt: null });
    await advance(clock, 30 * DAY);
    expect(inDemo.alerts.told).toEqual([]);
    inDemo.scheduler.stop();

    const off = await createTestServices({
      config: { modem_type: 'fritzbox', test_restore_enabled: false, test_restore_interval_days: 3 },
    });
    await backupAt(off, clock.now() - HOUR);
    const turnedOff = await startScheduler(off, clock);
    expect(turnedOff.scheduler.state()).toMatchObject({
      enabled: false,
      reason: 'turned off in the settings',
      intervalDays: 3,
      nextRunAt: null,
    });
    await advance(clock, 30 * DAY);
    expect(turnedOff.alerts.told).toEqual([]);
    await off.services.instance.updateConfig({ test_restore_enabled: true });
    turnedOff.scheduler.reschedule();
    expect(turnedOff.scheduler.state()).toMatchObject({ enabled: true, reason: null });
    await advance(clock, 10 * MINUTE);
    expect(turnedOff.alerts.told).toHaveLength(1);
  });

  it('follows a config.json that changed under it (a restore): on within the hour, without a save', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox', test_restore_enabled: false } });
    const clock = new TestClock();
    await backupAt(setup, clock.now() - HOUR);
    const { scheduler, alerts } = await startScheduler(setup, clock);
    expect(scheduler.state().enabled).toBe(false);
    // As a restore of the running instance does: config.json replaced, the instance re-read.
    fs.writeFileSync(path.join(setup.dataDir, 'config.json'), JSON.stringify({ modem_type: 'fritzbox', test_restore_interval_days: 2 }));
    await setup.services.instance.reload();
    expect(scheduler.state()).toMatchObject({ enabled: true, intervalDays: 2 });
    await advance(clock, HOUR);
    expect(alerts.told).toEqual([expect.objectContaining({ ok: true, subject: { kind: 'test-restore' } })]);
  });

  it('starts nothing while the backup directory holds no backup, and Run now says so', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const clock = new TestClock();
    const { scheduler, alerts } = await startScheduler(setup, clock);
    await advance(clock, 10 * MINUTE);
    expect(scheduler.state().last).toBeNull();
    expect(alerts.told).toEqual([]);
    expect(Date.parse(scheduler.state().nextRunAt!)).toBe(clock.now() + HOUR);
    await expect(scheduler.runNow()).rejects.toMatchObject({ code: 'NOT_FOUND', cause: { code: 'TEST_RESTORE_NO_BACKUP' } });
  });

  it('Run now starts one at once, and a second press returns the same job', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const clock = new TestClock();
    const fileName = await backupAt(setup, clock.now() - HOUR);
    const { scheduler } = await startScheduler(setup, clock);
    const job = await scheduler.runNow();
    expect(job).toMatchObject({ kind: 'test-restore', label: 'Test restore of the newest backup' });
    expect((await scheduler.runNow()).id).toBe(job.id);
    expect(scheduler.state()).toMatchObject({ running: true, nextRunAt: null });
    const final = await setup.services.jobs.wait(job.id);
    expect(final).toMatchObject({ state: 'succeeded', result: { fileName } });
    await scheduler.idle();
    expect(scheduler.state()).toMatchObject({ running: false, last: { ok: true, fileName } });
  });

  it('is paused with the backup schedule while a restore or demo seeding runs, and runs once both resume', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const clock = new TestClock();
    await backupAt(setup, clock.now() - HOUR);
    const { scheduler, alerts } = await startScheduler(setup, clock);
    const backupSchedule = {
      pauses: 0,
      pause() {
        this.pauses += 1;
      },
      resume() {
        this.pauses -= 1;
      },
    };
    await withSchedulePaused(serverSchedules({ scheduler: backupSchedule, testRestores: scheduler }), async () => {
      expect(backupSchedule.pauses).toBe(1);
      expect(scheduler.state().nextRunAt).toBeNull();
      // Well past its due time (the start delay), nothing runs while the restore holds the schedules.
      await advance(clock, 2 * HOUR);
      expect(alerts.told).toEqual([]);
      expect(scheduler.state()).toMatchObject({ last: null, running: false });
    });
    expect(backupSchedule.pauses).toBe(0);
    expect(Date.parse(scheduler.state().nextRunAt!)).toBeLessThanOrEqual(clock.now());
    await advance(clock, 0);
    expect(alerts.told).toEqual([expect.objectContaining({ ok: true, subject: { kind: 'test-restore' } })]);
  });

  /** A job at the head of the queue that holds it until `release()`. */
  function blockQueue(setup: TestServices): { release: () => void } {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    setup.services.jobs.enqueue({
      kind: 'verify',
      label: 'ahead of the test restore',
      writesDataDir: false,
      run: async () => {
        await gate;
        throw new Error('only held the queue');
      },
    });
    return { release };
  }

  it('tests the newest backup there is when the job starts, not the one there was when it was queued', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const clock = new TestClock();
    const older = await backupAt(setup, clock.now() - 2 * DAY);
    const queued = await backupAt(setup, clock.now() - HOUR);
    const { scheduler, alerts } = await startScheduler(setup, clock);
    const ahead = blockQueue(setup);
    const job = await scheduler.runNow();
    // A backup job ahead of it prunes the backup that was newest when the test restore was queued.
    fs.rmSync(path.join(setup.backupDir, queued));
    ahead.release();
    const final = await setup.services.jobs.wait(job.id);
    expect(final).toMatchObject({ state: 'succeeded', result: { fileName: older } });
    await scheduler.idle();
    expect(scheduler.state().last).toMatchObject({ ok: true, fileName: older });
    expect(alerts.told).toEqual([{ ok: true, subject: { kind: 'test-restore' }, fileName: older }]);
  });

  it('gives no verdict when the backups went before it started (BACKUP_NOT_FOUND): no alert, tried again an hour later', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const clock = new TestClock();
    const only = await backupAt(setup, clock.now() - HOUR);
    const { scheduler, alerts } = await startScheduler(setup, clock);
    const ahead = blockQueue(setup);
    const job = await scheduler.runNow();
    fs.rmSync(path.join(setup.backupDir, only));
    ahead.release();
    expect(await setup.services.jobs.wait(job.id)).toMatchObject({ state: 'failed', error: { code: 'BACKUP_NOT_FOUND' } });
    await scheduler.idle();
    expect(scheduler.state().last).toBeNull();
    expect(alerts.told).toEqual([]);
    expect(Date.parse(scheduler.state().nextRunAt!)).toBe(clock.now() + HOUR);

    // A new backup by then: the retry an hour later tests it.
    const next = await backupAt(setup, clock.now());
    await advance(clock, HOUR);
    expect(scheduler.state().last).toMatchObject({ ok: true, fileName: next });
    expect(alerts.told).toEqual([{ ok: true, subject: { kind: 'test-restore' }, fileName: next }]);
  });
});
