/**
 * Test restores on a schedule (issue 19: proof of restorability), and the state the dashboard, the
 * settings page and /metrics show ("restorable as of").
 *
 * Settings: test_restore_enabled (default true), test_restore_interval_days (default 7) from
 * config.json (test-restore-settings.ts). Outcomes: test-restore-record.ts, in the data directory.
 *
 * States and what moves between them:
 *   not started → start() reads the record and the settings: off | waiting
 *   off         turned off in the settings, or demo mode (never in demo mode, as the backup
 *               schedule). reschedule() when the settings change; a restore's or demo seeding's
 *               change is read at the next look at the clock.
 *   waiting     a timer armed for nextRunAt, at most an hour ahead, so a host that slept catches up.
 *               Due: the last test restore + the interval; after a failure, a day later (or the
 *               interval, when shorter) until one passes; with none yet, `startDelayMs` after start.
 *               A backup directory without a backup is looked at again an hour later.
 *   running     a `test-restore` job runs through the JobRunner (queued behind backups and
 *               restores); it takes the newest backup when it starts, not when it was queued, so a
 *               backup job ahead of it that prunes cannot leave it a file that is gone. Its outcome
 *               is recorded and told to the alerts as `{ kind: 'test-restore' }`. One without a
 *               verdict records nothing and is tried again an hour later: cancelled, the server
 *               stopping, or BACKUP_NOT_FOUND (the backups went between the look and the start).
 *               runNow() ("Run now") starts one at once, whatever the state, unless one is queued
 *               or running already (then that one is returned).
 *   paused      pause() (a restore of the running instance, demo seeding: with the backup schedule,
 *               schedule-pause.ts): nothing is armed, so no test restore of a backup directory
 *               that is changing (a pre-restore backup sealed with a key the restored config may
 *               lack). resume() after the last pause re-reads the settings and re-arms. "Run now"
 *               still queues one: it runs after the restore and tests the newest backup then.
 *   stopped     stop() (server closing): nothing is armed any more.
 */
import { backupMadeNoLaterThan, formatLocalIso, isLockerError, listBackups, type BackupListEntry } from '@evidence-locker/core';
import { refusal } from '../errors/server-refusal.ts';
import type { AlertSignals } from '../alerts/alert-signals.ts';
import type { Instance } from '../instance/instance.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { JobSnapshotOf } from '../jobs/job-snapshot.ts';
import type { SchedulerClock, SchedulerLog } from '../schedule/backup-scheduler.ts';
import { instanceIdentities } from '../seal/instance-seal-settings.ts';
import { testRestoreJobSpec } from './test-restore-job.ts';
import { readTestRestoreRecord, writeTestRestoreRecord, type TestRestoreRecord } from './test-restore-record.ts';
import { readTestRestoreSettings, type TestRestoreSettings } from './test-restore-settings.ts';
import type { TestRestoreOutcome, TestRestoreState } from './test-restore-state.ts';

/** Options of {@link TestRestoreScheduler}. */
export interface TestRestoreSchedulerOptions {
  instance: Instance;
  jobs: JobRunner;
  /** Where outcomes go; asked each time (the server's alerts may be replaced after this is made). */
  alerts: () => AlertSignals;
  log?: SchedulerLog;
  /** Default: the real clock with unref'd timers. */
  clock?: SchedulerClock;
  /** Wait before the first test restore of an instance that never had one; default 10 minutes. */
  startDelayMs?: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const MAX_TIMER_MS = HOUR_MS;
/**
 * Codes of a test restore that ended without a verdict on the backups: a cancel, the server
 * stopping, or no backup left to test when it started (pruned or moved after the look).
 */
const NO_VERDICT = new Set(['CANCELLED', 'SERVER_SHUTDOWN', 'BACKUP_NOT_FOUND']);

const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const silentLog: SchedulerLog = { info: () => undefined, warn: () => undefined };

export class TestRestoreScheduler {
  readonly #instance: Instance;
  readonly #jobs: JobRunner;
  readonly #alerts: () => AlertSignals;
  readonly #log: SchedulerLog;
  readonly #clock: SchedulerClock;
  readonly #startDelayMs: number;

  #started = false;
  #stopped = false;
  #pauses = 0;
  #settings: TestRestoreSettings;
  #reason: string | null = 'not started';
  #record: TestRestoreRecord = { last: null, lastGood: null };
  #notBefore = 0;
  /** When to look again at a backup directory that held no backup. */
  #noBackupUntil = 0;
  #nextRunAt: number | null = null;
  #timer: unknown;
  /** The job queued or running, and the wait for its end. */
  #active: { id: string; done: Promise<void> } | undefined;
  #loading: Promise<void> | undefined;
  /** A timer's look at the backup directory, before its job is queued. */
  #ticking: Promise<void> | undefined;

  constructor(options: TestRestoreSchedulerOptions) {
    this.#instance = options.instance;
    this.#jobs = options.jobs;
    this.#alerts = options.alerts;
    this.#log = options.log ?? silentLog;
    this.#clock = options.clock ?? realClock;
    this.#startDelayMs = options.startDelayMs ?? 10 * MINUTE_MS;
    this.#settings = readTestRestoreSettings(this.#instance.snapshot.config);
  }

  /** Reads the record and the settings and arms the timer. Idempotent. */
  start(): Promise<void> {
    if (this.#started || this.#stopped) return this.#load();
    this.#started = true;
    this.#notBefore = this.#clock.now() + this.#startDelayMs;
    return this.#load().then(() => this.reschedule());
  }

  /** Reads the record once (start, or the first outcome of a scheduler never started). */
  #load(): Promise<void> {
    this.#loading ??= readTestRestoreRecord(this.#instance.dataDir).then((record) => {
      this.#record = record;
    });
    return this.#loading;
  }

  /** Re-reads the settings (after they were saved, or a restore brought others) and re-arms. */
  reschedule(): void {
    this.#refresh();
    if (this.#started) this.#arm();
  }

  /**
   * Reads the settings and demo mode from the instance as it is now. Also called on every arming
   * and state read, so a restore or demo seeding that changed config.json counts without a call
   * from them: the state at once, the timer at its next look at the clock (within the hour).
   */
  #refresh(): void {
    this.#settings = readTestRestoreSettings(this.#instance.snapshot.config);
    if (!this.#started || this.#stopped) return;
    this.#reason = this.#instance.snapshot.demoMode ? 'demo mode' : this.#settings.enabled ? null : 'turned off in the settings';
  }

  /** Stops for good (server closing); a running test restore is ended by the JobRunner's close. */
  stop(): void {
    this.#stopped = true;
    this.#arm();
  }

  /** Holds the schedule (a restore or demo seeding changes the data and backup directories); see resume(). */
  pause(): void {
    this.#pauses += 1;
    this.#arm();
  }

  /** Ends one pause(); after the last one the settings are re-read and the schedule re-armed. */
  resume(): void {
    if (this.#pauses === 0) return;
    this.#pauses -= 1;
    if (this.#pauses === 0) this.reschedule();
  }

  /** Resolves when no test restore is queued or running (for tests and shutdown). */
  async idle(): Promise<void> {
    await this.#load();
    while (this.#ticking !== undefined || this.#active !== undefined) {
      await this.#ticking;
      await this.#active?.done;
    }
  }

  /**
   * Starts a test restore of the newest backup now ("Run now"), or returns the one already queued
   * or running. TEST_RESTORE_NO_BACKUP (a NOT_FOUND refusal) when the backup directory holds no backup.
   */
  async runNow(): Promise<JobSnapshotOf<'test-restore'>> {
    const active = this.#activeJob();
    if (active !== undefined) return active;
    const newest = await this.#newestBackup();
    if (newest === undefined) {
      const backupDir = this.#instance.backupPath;
      throw refusal('NOT_FOUND', 'TEST_RESTORE_NO_BACKUP', `There is no backup in ${backupDir} to test yet; make one first.`, {
        path: backupDir,
      });
    }
    return this.#activeJob() ?? this.#enqueue();
  }

  /** The state the dashboard, the settings page and /metrics show. */
  state(): TestRestoreState {
    this.#refresh();
    return {
      enabled: this.#reason === null,
      reason: this.#reason,
      intervalDays: this.#settings.intervalDays,
      last: this.#record.last,
      lastGood: this.#record.lastGood,
      nextRunAt: this.#nextRunAt === null ? null : formatLocalIso(new Date(this.#nextRunAt)),
      running: this.#active !== undefined,
    };
  }

  #activeJob(): JobSnapshotOf<'test-restore'> | undefined {
    const snapshot = this.#active === undefined ? undefined : this.#jobs.get(this.#active.id);
    return snapshot?.kind === 'test-restore' ? snapshot : undefined;
  }

  async #newestBackup(): Promise<BackupListEntry | undefined> {
    const [newest] = await listBackups(this.#instance.backupPath, { identities: instanceIdentities(this.#instance) });
    return newest;
  }

  /** Queues a test restore of the newest backup there is when it starts. */
  #enqueue(): JobSnapshotOf<'test-restore'> {
    const backupDir = this.#instance.backupPath;
    let chosen: { fileName: string; modified: string | null } | undefined;
    const job = this.#jobs.enqueue(
      testRestoreJobSpec({
        instance: this.#instance,
        backupDir,
        onChosen: (backup) => {
          chosen = backup;
        },
      }),
    );
    const done = this.#finish(job.id, () => chosen).finally(() => {
      this.#active = undefined;
      this.#arm();
    });
    this.#active = { id: job.id, done };
    this.#arm();
    return job;
  }

  /** Waits for the job's end, records its outcome and tells the alerts. */
  async #finish(id: string, chosen: () => { fileName: string; modified: string | null } | undefined): Promise<void> {
    const final = await this.#jobs.wait(id);
    await this.#load();
    if (final.kind !== 'test-restore') return;
    const now = this.#clock.now();
    const at = formatLocalIso(new Date(now));
    const backup = chosen() ?? { fileName: final.result?.fileName ?? '', modified: null };
    let outcome: TestRestoreOutcome;
    if (final.state === 'succeeded' && final.result) {
      outcome = { ok: true, at, fileName: final.result.fileName, backupMadeAt: final.result.backupMadeAt ?? madeNoLaterThan(backup) };
    } else {
      const error = final.error ?? { code: 'CANCELLED', message: 'The test restore was cancelled.', details: {} };
      if (NO_VERDICT.has(error.code)) {
        // No verdict: the next try an hour later, not at once (its due time has passed).
        this.#noBackupUntil = now + HOUR_MS;
        return;
      }
      outcome = {
        ok: false,
        at,
        fileName: backup.fileName,
        backupMadeAt: madeNoLaterThan(backup),
        code: error.code,
        message: error.message,
        details: error.details,
      };
    }
    this.#record = { last: outcome, lastGood: outcome.ok ? outcome : this.#record.lastGood };
    try {
      await writeTestRestoreRecord(this.#instance.dataDir, this.#record);
    } catch (error) {
      this.#log.warn({ err: error }, 'Could not save the test restore outcome; it is kept until the server restarts.');
    }
    if (outcome.ok) {
      this.#log.info({ file: backup.fileName }, 'Test restore passed');
      this.#alerts().succeeded({ kind: 'test-restore' }, { at: now, fileName: backup.fileName });
    } else {
      this.#log.warn({ file: backup.fileName, code: outcome.code }, `Test restore failed: ${outcome.message ?? ''}`);
      this.#alerts().failed(
        { kind: 'test-restore' },
        {
          code: outcome.code ?? 'INTERNAL',
          message: outcome.message ?? '',
          details: outcome.details ?? {},
          at: now,
          fileName: backup.fileName,
        },
      );
    }
  }

  /** Clears the timer and, when test restores run on their schedule, arms it for the next due time. */
  #arm(): void {
    this.#refresh();
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextRunAt = null;
    if (!this.#started || this.#stopped || this.#pauses > 0 || this.#active !== undefined) return;
    if (this.#reason !== null) {
      // Off: looked at again within the hour, in case a restore or demo seeding changed that.
      this.#timer = this.#clock.setTimeout(() => this.#arm(), MAX_TIMER_MS);
      return;
    }
    const last = this.#record.last;
    const intervalMs = this.#settings.intervalDays * DAY_MS;
    const lastAt = last === null ? Number.NaN : Date.parse(last.at);
    let due = Number.isFinite(lastAt) ? lastAt + (last?.ok === true ? intervalMs : Math.min(intervalMs, DAY_MS)) : this.#notBefore;
    due = Math.max(due, this.#notBefore, this.#noBackupUntil);
    this.#nextRunAt = due;
    const wait = Math.min(Math.max(0, due - this.#clock.now()), MAX_TIMER_MS);
    this.#timer = this.#clock.setTimeout(() => {
      const ticking: Promise<void> = this.#onTimer().finally(() => {
        if (this.#ticking === ticking) this.#ticking = undefined;
      });
      this.#ticking = ticking;
    }, wait);
  }

  async #onTimer(): Promise<void> {
    this.#timer = undefined;
    if (this.#nextRunAt === null || this.#active !== undefined || this.#stopped || this.#pauses > 0) return;
    if (this.#clock.now() < this.#nextRunAt) {
      this.#arm();
      return;
    }
    this.#nextRunAt = null;
    try {
      const newest = await this.#newestBackup();
      if (this.#stopped || this.#pauses > 0 || this.#active !== undefined) return;
      if (newest === undefined) {
        this.#noBackupUntil = this.#clock.now() + HOUR_MS;
        this.#arm();
        return;
      }
      this.#enqueue();
    } catch (error) {
      // A backup directory that cannot be listed: the backup schedule reports it; look again later.
      if (!isLockerError(error)) this.#log.warn({ err: error }, 'Could not start a scheduled test restore');
      this.#noBackupUntil = this.#clock.now() + HOUR_MS;
      this.#arm();
    }
  }
}

/**
 * When the backup a test restore opened was made, when its archive does not say (or the restore
 * failed before reading it): the earlier of the time in its name and its modification time (core's
 * backupMadeNoLaterThan, as the schedule and the dashboard date it), so a backup directory copied
 * without its times does not make "restorable as of" read as today; null when neither is a time.
 */
function madeNoLaterThan(backup: { fileName: string; modified: string | null }): string | null {
  const made = backupMadeNoLaterThan(backup.fileName, backup.modified);
  return Number.isNaN(made.getTime()) ? null : formatLocalIso(made);
}
