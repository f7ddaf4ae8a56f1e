/**
 * The alert center with the real sources: the backup scheduler and the offsite pusher on a test
 * clock, the dead man's switch, and a real webhook and ping receiver on loopback
 * (@evidence-locker/test-servers/http-receiver). One failure state sends one alert and one recovery.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createBackup } from '@evidence-locker/core';
import { startHttpReceiver, type HttpReceiver } from '@evidence-locker/test-servers/http-receiver';
import { freePort } from '@evidence-locker/test-servers/free-port';
import { TestClock } from '@evidence-locker/server/testing/test-clock';
import { createTestServices } from '@evidence-locker/server/testing/test-services';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupScheduler } from '../schedule/backup-scheduler.ts';
import { scheduleState } from '@evidence-locker/server/testing/schedule-state';
import { TargetPusher } from '../targets/target-pusher.ts';
import { changeInstanceTargets } from '../targets/instance-targets.ts';
import { draftTarget } from '../targets/target-draft.ts';
import { AlertCenter } from './alert-center.ts';
import { ALERTS_STATE_FILE } from './alert-state.ts';
import { draftAlertChannel } from './alert-channel-draft.ts';
import { changeAlertChannels } from './instance-alert-channels.ts';
import { StaleWatch } from './stale-watch.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const receivers: HttpReceiver[] = [];
let scheduler: BackupScheduler | undefined;
afterEach(async () => {
  scheduler?.stop();
  await scheduler?.idle();
  scheduler = undefined;
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function receiver(): Promise<HttpReceiver> {
  const started = await startHttpReceiver();
  receivers.push(started);
  return started;
}

/** An instance with a webhook channel and a ping channel pointing at real receivers. */
async function instanceWithChannels(config: Record<string, unknown> = {}) {
  const setup = await createTestServices({ config: { modem_type: 'fritzbox', ...config } });
  const hook = await receiver();
  const ping = await receiver();
  await changeAlertChannels(setup.services.instance, (channels) => ({
    channels: [
      ...channels,
      draftAlertChannel({ kind: 'webhook', name: 'Hook', enabled: true, secrets: { url: `${hook.url}/hook`, token: 't0k' } }),
      draftAlertChannel({ kind: 'ping', name: 'Healthcheck', enabled: true, secrets: { url: `${ping.url}/ping/abc` } }),
      // A disabled channel hears nothing.
      draftAlertChannel({ kind: 'webhook', name: 'Off', enabled: false, secrets: { url: `${hook.url}/off` } }),
    ],
    answer: undefined,
  }));
  return { setup, hook, ping };
}

function events(hook: HttpReceiver): Array<{ event: string; subject: string; code?: string; title: string }> {
  return hook.requests.map((request) => request.json as { event: string; subject: string; code?: string; title: string });
}

describe('scheduled backups', () => {
  it('sends one alert for a failing scheduled backup however often it is retried, then one recovery; the ping URL hears every outcome', async () => {
    const { setup, hook, ping } = await instanceWithChannels({ backup_enabled: true });
    const missing = path.join(setup.root, 'nas');
    await setup.services.instance.updateConfig({ backup_path: missing });
    const clock = new TestClock();
    scheduler = new BackupScheduler({
      instance: setup.services.instance,
      jobs: setup.services.jobs,
      clock,
      startDelayMs: MINUTE,
      alerts: setup.services.alerts,
    });
    await scheduler.start();
    const advance = async (ms: number) => {
      clock.advance(ms);
      await scheduler!.idle();
      await setup.services.alertCenter.idle();
    };

    await advance(MINUTE);
    await advance(MINUTE);
    await advance(2 * MINUTE);
    expect(scheduler.state().consecutiveFailures).toBe(3);
    expect(events(hook)).toEqual([expect.objectContaining({ event: 'failure', subject: 'scheduled-backup', code: 'DIRECTORY_NOT_FOUND' })]);
    expect(hook.requests[0]?.url).toBe('/hook');
    expect(hook.requests[0]?.headers.authorization).toBe('Bearer t0k');
    expect((hook.requests[0]?.json as { text: string }).text).toContain(`${missing} does not exist`);

    fs.mkdirSync(missing);
    await advance(4 * MINUTE);
    expect(scheduler.state().consecutiveFailures).toBe(0);
    expect(events(hook).map((event) => event.event)).toEqual(['failure', 'recovery']);
    expect(events(hook)[1]).toMatchObject({ subject: 'scheduled-backup', title: 'Evidence Locker: scheduled backups work again' });
    expect(ping.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /ping/abc/fail',
      'GET /ping/abc/fail',
      'GET /ping/abc/fail',
      'GET /ping/abc',
    ]);

    // The next success is no news for the alert channels; the ping still hears it.
    await advance(24 * HOUR);
    expect(hook.requests).toHaveLength(2);
    expect(ping.requests).toHaveLength(5);
    const state = await setup.services.alertCenter.state();
    expect(state.failing).toEqual({});
    expect(Object.values(state.deliveries).every((delivery) => delivery.ok)).toBe(true);
  });

  it('sends no alert and no /fail ping for a scheduled backup someone cancelled', async () => {
    const { setup, hook, ping } = await instanceWithChannels({ backup_enabled: true });
    const clock = new TestClock();
    scheduler = new BackupScheduler({
      instance: setup.services.instance,
      jobs: setup.services.jobs,
      clock,
      startDelayMs: MINUTE,
      alerts: setup.services.alerts,
    });
    await scheduler.start();
    clock.advance(MINUTE);
    const job = setup.services.jobs.list().find((candidate) => candidate.kind === 'backup');
    expect(job).toBeDefined();
    setup.services.jobs.cancel(job!.id);
    await scheduler.idle();
    await setup.services.alertCenter.idle();
    expect(setup.services.jobs.get(job!.id)?.error?.code).toBe('CANCELLED');
    expect(scheduler.state().consecutiveFailures).toBe(1);
    expect(hook.requests).toHaveLength(0);
    expect(ping.requests).toHaveLength(0);
    expect((await setup.services.alertCenter.state()).failing).toEqual({});
  });

  it('neither sends again nor forgets the recovery after a restart', async () => {
    const { setup, hook } = await instanceWithChannels();
    const subject = { kind: 'scheduled-backup' } as const;
    const failure = { code: 'DIRECTORY_NOT_FOUND', message: '/mnt/nas does not exist.', at: Date.parse('2026-12-05T10:00:00Z') };
    const first = new AlertCenter({ instance: setup.services.instance });
    first.failed(subject, failure);
    await first.idle();
    expect(fs.existsSync(path.join(setup.dataDir, ALERTS_STATE_FILE))).toBe(true);

    const second = new AlertCenter({ instance: setup.services.instance });
    second.failed(subject, { ...failure, at: failure.at + HOUR });
    await second.idle();
    expect(events(hook).map((event) => event.event)).toEqual(['failure']);
    second.succeeded(subject, { at: failure.at + 2 * HOUR, fileName: 'docsight_backup_20261205_120000.tar.gz' });
    await second.idle();
    expect(events(hook).map((event) => event.event)).toEqual(['failure', 'recovery']);
    expect((hook.requests[1]?.json as { text: string }).text).toBe(
      'The scheduled backup docsight_backup_20261205_120000.tar.gz succeeded at 2026-12-05 12:00 UTC, after failing since 2026-12-05 10:00 UTC.',
    );
  });

  it('keeps each subject in its own failure state, with its own words (verification, test restore, a target)', async () => {
    const { setup, hook } = await instanceWithChannels();
    const center = setup.services.alertCenter;
    const at = Date.parse('2026-12-05T10:00:00Z');
    center.failed(
      { kind: 'verification' },
      { code: 'MEMBER_CHECKSUM_MISMATCH', message: 'A checksum does not match.', at, fileName: 'a.tar.gz' },
    );
    center.failed({ kind: 'test-restore' }, { code: 'TEST_RESTORE_COUNTS_DIFFER', message: 'Row counts differ.', at });
    center.failed({ kind: 'target', id: 't1', name: 'NAS' }, { code: 'TARGET_UNREACHABLE', message: 'Cannot reach it.', at });
    center.failed({ kind: 'target', id: 't2', name: 'Cloud' }, { code: 'TARGET_FULL', message: 'Full.', at });
    center.failed({ kind: 'target', id: 't1', name: 'NAS' }, { code: 'TARGET_UNREACHABLE', message: 'Cannot reach it.', at: at + MINUTE });
    center.succeeded({ kind: 'verification' }, { at: at + HOUR });
    center.succeeded({ kind: 'test-restore' }, { at: at + HOUR });
    center.succeeded({ kind: 'target', id: 't1', name: 'NAS' }, { at: at + HOUR });
    await center.idle();
    expect(events(hook).map((event) => event.title)).toEqual([
      'Evidence Locker: a new backup failed its verification',
      'Evidence Locker: the test restore failed',
      'Evidence Locker: copies to "NAS" fail',
      'Evidence Locker: copies to "Cloud" fail',
      'Evidence Locker: new backups verify again',
      'Evidence Locker: the test restore succeeds again',
      'Evidence Locker: copies to "NAS" arrive again',
    ]);
    expect((await center.state()).failing).toEqual({
      'target:t2': expect.objectContaining({ name: 'Cloud', code: 'TARGET_FULL', count: 1 }),
    });
    // A removed target's failure state goes with it: no recovery would ever end it.
    center.forgetTarget('t2');
    await center.idle();
    expect((await center.state()).failing).toEqual({});
  });

  it('records a delivery that failed, per channel, and says why', async () => {
    const { setup, hook } = await instanceWithChannels();
    hook.answer({ status: 503, body: 'maintenance' });
    setup.services.alertCenter.failed({ kind: 'stale' }, { code: 'BACKUP_STALE', message: 'No backup.', at: Date.now() });
    await setup.services.alertCenter.idle();
    const state = await setup.services.alertCenter.state();
    const failed = Object.values(state.deliveries).filter((delivery) => !delivery.ok);
    expect(failed).toEqual([expect.objectContaining({ event: 'failure', code: 'ALERT_REJECTED' })]);
    expect(failed[0]?.message).toContain('maintenance');
    // The facts the code's text names are kept, so the settings can say it in German too.
    expect(failed[0]?.details).toEqual({ where: hook.url, status: 503, reason: 'maintenance' });
  });
});

describe('offsite targets turned off', () => {
  it("ends a disabled target's failure state, and one removed while the server was down", async () => {
    const { setup } = await instanceWithChannels();
    const nas = draftTarget({
      name: 'NAS',
      enabled: true,
      sealed: false,
      retention: {},
      address: { kind: 'sftp', host: '127.0.0.1', port: 22, username: 'backup', directory: '/backups' },
      secrets: { password: 'x' },
    });
    await changeInstanceTargets(setup.services.instance, (targets) => ({ targets: [...targets, nas], answer: undefined }));
    const center = setup.services.alertCenter;
    const at = Date.parse('2026-12-05T10:00:00Z');
    center.failed({ kind: 'target', id: nas.id, name: 'NAS' }, { code: 'TARGET_UNREACHABLE', message: 'Cannot reach it.', at });
    center.failed({ kind: 'target', id: 'gone', name: 'Old NAS' }, { code: 'TARGET_UNREACHABLE', message: 'Cannot reach it.', at });
    await center.idle();
    expect(Object.keys((await center.state()).failing).sort()).toEqual([`target:${nas.id}`, 'target:gone']);

    await changeInstanceTargets(setup.services.instance, (targets) => ({
      targets: targets.map((target) => ({ ...target, enabled: false })),
      answer: undefined,
    }));
    expect(Object.keys((await center.state()).failing)).toEqual(['target:gone']);
    await center.idle();
    // Forgotten for good, not only left out of the answer; and at the next start the missing one too.
    const restarted = new AlertCenter({ instance: setup.services.instance });
    restarted.start();
    await restarted.idle();
    expect((await restarted.state()).failing).toEqual({});
  });
});

describe('deliveries that fail', () => {
  it('sends a failure a channel did not accept again on the next retry of the backup, once', async () => {
    const { setup, hook } = await instanceWithChannels();
    const clock = new TestClock(Date.parse('2026-12-05T10:00:00Z'));
    const center = new AlertCenter({ instance: setup.services.instance, clock });
    const subject = { kind: 'scheduled-backup' } as const;
    const failure = { code: 'DIRECTORY_NOT_FOUND', message: '/mnt/nas does not exist.', at: clock.now() };
    hook.answer({ status: 503, body: 'down for a minute' });
    center.failed(subject, failure);
    await center.idle();
    expect(hook.requests).toHaveLength(1);
    expect((await center.state()).outbox).toEqual([expect.objectContaining({ attempts: 1, channels: [expect.any(String)] })]);

    hook.answer({ status: 200, body: '{}' });
    center.failed(subject, { ...failure, at: clock.now() + MINUTE });
    await center.idle();
    expect(events(hook).map((event) => event.event)).toEqual(['failure', 'failure']);
    // Accepted now: the next retry of the backup sends nothing more.
    center.failed(subject, { ...failure, at: clock.now() + 2 * MINUTE });
    await center.idle();
    expect(hook.requests).toHaveLength(2);
    expect((await center.state()).outbox).toEqual([]);
  });

  it('sends a recovery a channel did not accept again on a backoff timer, and after a restart', async () => {
    const { setup, hook } = await instanceWithChannels();
    const clock = new TestClock(Date.parse('2026-12-05T10:00:00Z'));
    const center = new AlertCenter({ instance: setup.services.instance, clock });
    const subject = { kind: 'test-restore' } as const;
    center.failed(subject, { code: 'TEST_RESTORE_COUNTS_DIFFER', message: 'Row counts differ.', at: clock.now() });
    await center.idle();
    hook.answer({ status: 503, body: 'maintenance' });
    center.succeeded(subject, { at: clock.now() + HOUR });
    await center.idle();
    expect(events(hook).map((event) => event.event)).toEqual(['failure', 'recovery']);

    // Still down a minute later (the first retry), then up: the next try, two minutes on, arrives.
    clock.advance(MINUTE);
    await center.idle();
    expect(hook.requests).toHaveLength(3);
    hook.answer({ status: 200, body: '{}' });
    clock.advance(MINUTE);
    await center.idle();
    expect(hook.requests).toHaveLength(3);
    clock.advance(MINUTE);
    await center.idle();
    expect(events(hook).map((event) => event.event)).toEqual(['failure', 'recovery', 'recovery', 'recovery']);
    clock.advance(2 * HOUR);
    await center.idle();
    expect(hook.requests).toHaveLength(4);

    // Down when the recovery is due and the server stops: the next start sends it.
    center.failed(subject, { code: 'TEST_RESTORE_COUNTS_DIFFER', message: 'Row counts differ.', at: clock.now() });
    await center.idle();
    hook.answer({ status: 503, body: 'maintenance' });
    center.succeeded(subject, { at: clock.now() + HOUR });
    await center.close();
    expect(hook.requests).toHaveLength(6);
    hook.answer({ status: 200, body: '{}' });
    const restarted = new AlertCenter({ instance: setup.services.instance, clock });
    restarted.start();
    await restarted.idle();
    expect(events(hook).map((event) => event.event)).toEqual([
      'failure',
      'recovery',
      'recovery',
      'recovery',
      'failure',
      'recovery',
      'recovery',
    ]);
    expect((await restarted.state()).outbox).toEqual([]);
  });

  it('answers the state and closes within its limit while a channel hangs', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    // A receiver that accepts connections and never answers.
    const sockets = new Set<net.Socket>();
    const hung = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const { port } = hung.address() as net.AddressInfo;
    try {
      await changeAlertChannels(setup.services.instance, (channels) => ({
        channels: [
          ...channels,
          draftAlertChannel({ kind: 'webhook', name: 'Hung', enabled: true, secrets: { url: `http://127.0.0.1:${port}/hook` } }),
        ],
        answer: undefined,
      }));
      const clock = new TestClock(Date.parse('2026-12-05T10:00:00Z'));
      const center = new AlertCenter({ instance: setup.services.instance, clock });
      center.failed({ kind: 'stale' }, { code: 'BACKUP_STALE', message: 'No backup.', at: clock.now() });
      await new Promise<void>((resolve) => {
        if (sockets.size > 0) resolve();
        else hung.once('connection', () => resolve());
      });
      // The send hangs; the state recorded before it is answered all the same.
      expect((await center.state()).failing).toEqual({ stale: expect.objectContaining({ code: 'BACKUP_STALE' }) });
      let closed = false;
      const closing = center.close().then(() => {
        closed = true;
      });
      await Promise.resolve();
      expect(closed).toBe(false);
      clock.advance(5_000);
      await closing;
      expect(closed).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });
});

describe('offsite targets', () => {
  it('sends one alert for a target that keeps failing, naming it', async () => {
    const { setup, hook } = await instanceWithChannels();
    const port = await freePort();
    const target = draftTarget({
      name: 'Basement NAS',
      enabled: true,
      sealed: false,
      retention: {},
      address: { kind: 'sftp', host: '127.0.0.1', port, username: 'backup', directory: '/backups' },
      secrets: { password: 'x' },
    });
    await changeInstanceTargets(setup.services.instance, (targets) => ({ targets: [...targets, target], answer: undefined }));
    const created = await createBackup({
      dataDir: setup.dataDir,
      destination: { kind: 'directory', backupDir: setup.backupDir },
      trigger: 'manual',
    });
    const pusher = new TargetPusher({
      instance: setup.services.instance,
      jobs: setup.services.jobs,
      clock: new TestClock(),
      alerts: setup.services.alerts,
    });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const job = pusher.push(target.id, created.fileName, setup.backupDir);
      await setup.services.jobs.wait(job.id);
    }
    pusher.stop();
    await setup.services.alertCenter.idle();
    expect(events(hook)).toEqual([
      expect.objectContaining({
        event: 'failure',
        subject: 'target',
        code: 'TARGET_UNREACHABLE',
        title: 'Evidence Locker: copies to "Basement NAS" fail',
      }),
    ]);
    expect(hook.requests[0]?.json).toMatchObject({ target: { id: target.id, name: 'Basement NAS' }, fileName: created.fileName });
  });
});

describe("the dead man's switch", () => {
  const schedule = scheduleState;

  it('fires once when no backup succeeded for 1.5 intervals, even with the schedule stopped, and recovers once', async () => {
    const { setup, hook } = await instanceWithChannels();
    const clock = new TestClock(Date.parse('2026-12-05T12:00:00Z'));
    let state = schedule({ lastSuccessAt: '2026-12-05T00:00:00.000Z', lastSuccessFile: 'old.tar.gz' });
    const watch = new StaleWatch({ schedule: () => state, alerts: () => setup.services.alerts, clock });
    watch.start();
    // 24 h after the last success: late, but not yet 36 h.
    clock.advance(12 * HOUR);
    await setup.services.alertCenter.idle();
    expect(hook.requests).toHaveLength(0);
    clock.advance(12 * HOUR + MINUTE);
    await setup.services.alertCenter.idle();
    expect(events(hook)).toEqual([expect.objectContaining({ event: 'failure', subject: 'stale', code: 'BACKUP_STALE' })]);
    expect((await setup.services.alertCenter.state()).failing.stale?.details).toEqual({
      hours: 36,
      intervalHours: 24,
      dueAt: Date.parse('2026-12-06T12:00:00Z'),
      lastSuccessAt: Date.parse('2026-12-05T00:00:00Z'),
    });
    expect((hook.requests[0]?.json as { text: string }).text).toContain(
      'The newest successful scheduled backup is from 2026-12-05 00:00 UTC, 36 hours ago; the schedule runs every 24 hours',
    );
    clock.advance(48 * HOUR);
    await setup.services.alertCenter.idle();
    expect(hook.requests).toHaveLength(1);

    state = schedule({ lastSuccessAt: new Date(clock.now()).toISOString(), lastSuccessFile: 'new.tar.gz' });
    watch.check();
    clock.advance(HOUR);
    await setup.services.alertCenter.idle();
    expect(events(hook).map((event) => event.event)).toEqual(['failure', 'recovery']);
    watch.stop();
  });

  it('says "1 hour" for an hourly schedule, not "1 hours"', async () => {
    const { setup, hook } = await instanceWithChannels();
    const clock = new TestClock(Date.parse('2026-12-05T12:00:00Z'));
    const state = schedule({ intervalHours: 1, lastSuccessAt: '2026-12-05T12:00:00.000Z', lastSuccessFile: 'old.tar.gz' });
    const watch = new StaleWatch({ schedule: () => state, alerts: () => setup.services.alerts, clock });
    watch.start();
    clock.advance(90 * MINUTE + MINUTE);
    await setup.services.alertCenter.idle();
    expect((hook.requests[0]?.json as { text: string }).text).toContain(
      'The newest successful scheduled backup is from 2026-12-05 12:00 UTC, 1 hour ago; the schedule runs every 1 hour,',
    );
    watch.stop();
  });

  it('lets the catch-up backup after a long downtime come first: no alert and recovery a minute apart on a restart', async () => {
    const { setup, hook } = await instanceWithChannels();
    const clock = new TestClock(Date.parse('2026-12-05T12:00:00Z'));
    // Down for three days: the newest backup is 72 hours old when the server starts.
    let state = schedule({ lastSuccessAt: new Date(clock.now() - 72 * HOUR).toISOString() });
    const watch = new StaleWatch({ schedule: () => state, alerts: () => setup.services.alerts, clock, startGraceMs: MINUTE + HOUR });
    watch.start();
    clock.advance(2 * MINUTE);
    await setup.services.alertCenter.idle();
    expect(hook.requests).toHaveLength(0);
    // The catch-up backup succeeds: nothing to tell.
    state = schedule({ lastSuccessAt: new Date(clock.now()).toISOString(), lastSuccessFile: 'new.tar.gz' });
    watch.check();
    clock.advance(2 * HOUR);
    await setup.services.alertCenter.idle();
    expect(hook.requests).toHaveLength(0);
    watch.stop();

    // Had it not come within the start delay and one run, the alert goes out then.
    state = schedule({ lastSuccessAt: new Date(clock.now() - 72 * HOUR).toISOString() });
    const later = new StaleWatch({ schedule: () => state, alerts: () => setup.services.alerts, clock, startGraceMs: MINUTE + HOUR });
    later.start();
    clock.advance(MINUTE + HOUR - 1000);
    await setup.services.alertCenter.idle();
    expect(hook.requests).toHaveLength(0);
    clock.advance(2000);
    await setup.services.alertCenter.idle();
    expect(events(hook)).toEqual([expect.objectContaining({ event: 'failure', subject: 'stale' })]);
    later.stop();
  });

  it('ends the failure states of a schedule turned off or moved to another directory, without a recovery', async () => {
    const { setup, hook } = await instanceWithChannels();
    const center = setup.services.alertCenter;
    const clock = new TestClock(Date.parse('2026-12-05T12:00:00Z'));
    const failing = async () => Object.keys((await center.state()).failing).sort();
    const fail = async () => {
      center.failed({ kind: 'scheduled-backup' }, { code: 'DIRECTORY_NOT_FOUND', message: '/backups does not exist.', at: clock.now() });
      center.failed({ kind: 'stale' }, { code: 'BACKUP_STALE', message: 'No backup.', at: clock.now() });
      await center.idle();
    };
    let state = schedule({ lastSuccessAt: new Date(clock.now() - HOUR).toISOString() });
    const watch = new StaleWatch({
      schedule: () => state,
      alerts: () => setup.services.alerts,
      clock,
      onUnwatched: () => {
        center.forget({ kind: 'stale' });
        center.forget({ kind: 'scheduled-backup' });
      },
    });
    watch.start();
    await fail();
    expect(await failing()).toEqual(['scheduled-backup', 'stale']);

    state = schedule({ enabled: false, reason: 'turned off in the settings' });
    watch.check();
    await center.idle();
    expect(await failing()).toEqual([]);

    state = schedule({ lastSuccessAt: new Date(clock.now() - HOUR).toISOString() });
    watch.check();
    await fail();
    state = schedule({ backupPath: '/mnt/other', lastSuccessAt: null });
    watch.check();
    await center.idle();
    expect(await failing()).toEqual([]);
    // Two failures, each one alert; no recovery was sent for either end.
    expect(events(hook).map((event) => event.event)).toEqual(['failure', 'failure', 'failure', 'failure']);
    watch.stop();
  });

  it('counts from its start when there never was a backup, and checks nothing while the schedule is off', async () => {
    const { setup, hook } = await instanceWithChannels();
    const clock = new TestClock(Date.parse('2026-12-05T12:00:00Z'));
    let state = schedule({ enabled: false, reason: 'turned off in the settings', intervalHours: 6 });
    const watch = new StaleWatch({ schedule: () => state, alerts: () => setup.services.alerts, clock });
    watch.start();
    clock.advance(30 * HOUR);
    await setup.services.alertCenter.idle();
    expect(hook.requests).toHaveLength(0);

    state = schedule({ intervalHours: 6 });
    watch.check();
    clock.advance(9 * HOUR + 2 * MINUTE);
    await setup.services.alertCenter.idle();
    expect(events(hook)).toEqual([expect.objectContaining({ subject: 'stale' })]);
    expect((hook.requests[0]?.json as { text: string }).text).toContain(
      'There has been no successful scheduled backup since the server started',
    );
    watch.stop();
  });

  it('sends no recovery for a backup that is still old, after a restart or a path change, and no alert right after either', async () => {
    const { setup, hook } = await instanceWithChannels();
    const clock = new TestClock(Date.parse('2026-12-05T12:00:00Z'));
    // Stale since before the restart (recorded), and the newest backup is three days old.
    setup.services.alertCenter.failed({ kind: 'stale' }, { code: 'BACKUP_STALE', message: 'No backup.', at: clock.now() - HOUR });
    await setup.services.alertCenter.idle();
    let state = schedule({ lastSuccessAt: new Date(clock.now() - 72 * HOUR).toISOString() });
    const watch = new StaleWatch({ schedule: () => state, alerts: () => setup.services.alerts, clock });
    watch.start();
    clock.advance(35 * HOUR);
    await setup.services.alertCenter.idle();
    expect(events(hook).map((event) => event.event)).toEqual(['failure']);

    // Another directory, empty: counting starts again, no alert at once.
    state = schedule({ backupPath: '/mnt/new', lastSuccessAt: null });
    watch.check();
    clock.advance(30 * HOUR);
    await setup.services.alertCenter.idle();
    expect(events(hook).map((event) => event.event)).toEqual(['failure']);
    state = schedule({ backupPath: '/mnt/new', lastSuccessAt: new Date(clock.now()).toISOString() });
    watch.check();
    await setup.services.alertCenter.idle();
    expect(events(hook).map((event) => event.event)).toEqual(['failure', 'recovery']);
    watch.stop();
  });
});
