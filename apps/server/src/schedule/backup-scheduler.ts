/**
 * Scheduled backups: DOCSight's BackupCollector without its quirks (docs/docsight-compatibility.md:
 * A7 describes the collector, D24 the quirks).
 *
 * Settings: backup_enabled, backup_path, backup_interval_hours, backup_retention from config.json,
 * read with DOCSight's defaults (settings/backup-settings.ts).
 *
 * States and what moves between them:
 *   not started → start() loads the settings and seeds (below), then: off | waiting
 *   off         backup_enabled is false, or demo mode (DOCSight never schedules in demo mode and
 *               says nothing; here `reason` says so). reschedule() when the settings change.
 *   waiting     a timer is armed for nextRunAt. It fires at most an hour ahead and re-checks the
 *               clock, so a host that slept catches up instead of waiting a full interval more.
 *   running     a `backup` job with trigger `scheduled` runs through the JobRunner (one job at a
 *               time, so it queues behind a restore or a manual backup), then prunes to retention.
 *               Success: next = now + interval. Failure: next = now + 1, 2, 4, … minutes (capped
 *               at 60), not a full interval as in DOCSight; the message is kept in the state
 *               until another backup path is saved (it was about that directory).
 *   paused      pause() (a restore on the running instance): no timer; a run in progress ends
 *               normally. resume() re-reads settings (the restore may have brought new ones).
 *   stopped     stop() (server closing): nothing is armed any more.
 *
 * Seeding (at start, on every settings change and on resume): the last success is the newest
 * backup whose meta says `trigger: scheduled`, so a restart does not cause an extra backup and a
 * manual "Backup now" does not push the schedule back. Archives without a trigger (DOCSight's)
 * count only when no scheduled archive exists: after moving from DOCSight its newest archive
 * stands for its schedule. Manual, download and pre-restore archives never count. An overdue
 * backup runs `startDelayMs` after start or a settings change, not at once, so a start-up or a
 * save is not slowed down by a backup.
 */
import { backupMadeNoLaterThan, formatLocalIso, listBackups, type BackupListEntry } from '@evidence-locker/core';
import { backupJobSpec } from '../backups/backup-job.ts';
import type { BackupVerifications } from '../backups/backup-verifications.ts';
import type { AlertSignals } from '../alerts/alert-signals.ts';
import type { Instance } from '../instance/instance.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { ScheduleState } from '../schedule-state.ts';
import { instanceIdentities, instanceSealKey } from '../seal/instance-seal-settings.ts';
import { backupRetentionRule, readBackupSettings, type BackupSettings } from '../settings/backup-settings.ts';

/** Time and timers, injectable so tests need not wait for hours. */
export interface SchedulerClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` after `ms`; a real timer must not keep the process alive (unref). */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The log calls the schedule makes (Fastify's pino logger fits). */
export interface SchedulerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Options of {@link BackupScheduler}. */
export interface BackupSchedulerOptions {
  instance: Instance;
  jobs: JobRunner;
  log?: SchedulerLog;
  /** Default: the real clock with unref'd timers. */
  clock?: SchedulerClock;
  /** Wait before an overdue backup after start or a settings change; default 60 s. */
  startDelayMs?: number;
  /** Called after each scheduled backup that succeeded (the offsite copies start there). */
  onBackupCreated?: (result: { fileName: string; path: string }) => void;
  /** The verifications' record, so that pruning keeps the newest backup that did not fail one (default: none known). */
  verifications?: Pick<BackupVerifications, 'lookup'>;
  /** Told every scheduled backup's outcome as `{ kind: 'scheduled-backup' }` (default: nobody). */
  alerts?: AlertSignals;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** A timer never waits longer than this before looking at the clock again. */
const MAX_TIMER_MS = HOUR_MS;
const MAX_RETRY_MINUTES = 60;
/** Earlier backup paths remembered for the dashboard. */
const MAX_PREVIOUS_PATHS = 3;

const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const silentLog: SchedulerLog = { info: () => undefined, warn: () => undefined };

/** Minutes to wait after the `failures`-th failure in a row: 1, 2, 4, … capped at 60. */
export function retryDelayMinutes(failures: number): number {
  return Math.min(MAX_RETRY_MINUTES, 2 ** Math.max(0, failures - 1));
}

export class BackupScheduler {
  readonly #instance: Instance;
  readonly #jobs: JobRunner;
  readonly #log: SchedulerLog;
  readonly #onBackupCreated: ((result: { fileName: string; path: string }) => void) | undefined;
  readonly #alerts: AlertSignals | undefined;
  readonly #verifications: Pick<BackupVerifications, 'lookup'> | undefined;
  readonly #clock: SchedulerClock;
  readonly #startDelayMs: number;

  #started = false;
  #stopped = false;
  #pauses = 0;
  #settings: BackupSettings;
  #reason: string | null = 'not started';
  #lastSuccessAt: number | null = null;
  #lastSuccessFile: string | null = null;
  #lastFailureAt: number | null = null;
  #lastFailureMessage: string | null = null;
  #lastFailureCode: string | null = null;
  #lastFailureDetails: Record<string, string | number> = {};
  /** The backup path the last failure happened on. */
  #lastFailurePath: string | null = null;
  #failingSince: number | null = null;
  #failures = 0;
  #previousBackupPaths: string[] = [];
  #lastBackupAt: number | null = null;
  #notBefore = 0;
  #nextRunAt: number | null = null;
  #timer: unknown;
  #running: Promise<void> | undefined;
  #reloading: Promise<void> = Promise.resolve();

  constructor(options: BackupSchedulerOptions) {
    this.#instance = options.instance;
    this.#jobs = options.jobs;
    this.#log = options.log ?? silentLog;
    this.#onBackupCreated = options.onBackupCreated;
    this.#alerts = options.alerts;
    this.#verifications = options.verifications;
    this.#clock = options.clock ?? realClock;
    this.#startDelayMs = options.startDelayMs ?? MINUTE_MS;
    this.#settings = this.#readSettings();
  }

  /** Loads the settings, seeds from the backup directory and arms the timer. Idempotent. */
  start(): Promise<void> {
    if (this.#started || this.#stopped) return this.#reloading;
    this.#started = true;
    return this.reschedule();
  }

  /**
   * Re-reads the settings and the backup directory and arms the timer again (call after the backup
   * settings were saved). Also clears the retry backoff: the change may well be the fix.
   */
  reschedule(): Promise<void> {
    if (!this.#started || this.#stopped) return this.#reloading;
    this.#reloading = this.#reloading
      .then(() => this.#reload())
      .catch((error: unknown) => this.#log.warn({ err: error }, 'Could not reload the backup schedule'));
    return this.#reloading;
  }

  /** Holds the schedule (for a restore): the timer stops; a backup already running finishes. Nests. */
  pause(): void {
    this.#pauses += 1;
    this.#arm();
  }

  /** Ends one pause(); after the last one, settings are re-read and the schedule re-armed. */
  resume(): Promise<void> {
    if (this.#pauses === 0) return this.#reloading;
    this.#pauses -= 1;
    return this.#pauses === 0 ? this.reschedule() : this.#reloading;
  }

  /** Stops for good (server closing). A running backup job is ended by the JobRunner's close. */
  stop(): void {
    this.#stopped = true;
    this.#arm();
  }

  /** Tells the schedule a backup was written outside it (Backup now), for `lastBackupAt`. */
  noteBackupCreated(at: Date = new Date(this.#clock.now())): void {
    this.#lastBackupAt = Math.max(this.#lastBackupAt ?? 0, at.getTime());
  }

  /** Resolves when no reload and no scheduled run is in progress (for tests and shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const reloading = this.#reloading;
      const running = this.#running;
      await reloading;
      await running;
      if (reloading === this.#reloading && running === this.#running) return;
    }
  }

  /** The state the dashboard and settings page show. */
  state(): ScheduleState {
    const iso = (ms: number | null): string | null => (ms === null ? null : formatLocalIso(new Date(ms)));
    const nextRunAt = iso(this.#nextRunAt);
    // Checked here too, not only on reload: a reload after a save runs a moment later, and the page
    // reads the state right after the save.
    const failureShown = this.#lastFailurePath === null || this.#lastFailurePath === this.#instance.backupPath;
    return {
      enabled: this.#reason === null,
      reason: this.#reason,
      paused: this.#pauses > 0,
      backupPath: this.#settings.backup_path,
      intervalHours: this.#settings.backup_interval_hours,
      retention: this.#settings.backup_retention,
      retentionRule: backupRetentionRule(this.#settings),
      lastSuccessAt: iso(this.#lastSuccessAt),
      lastSuccessFile: this.#lastSuccessFile,
      lastFailureAt: failureShown ? iso(this.#lastFailureAt) : null,
      lastFailureMessage: failureShown ? this.#lastFailureMessage : null,
      consecutiveFailures: failureShown ? this.#failures : 0,
      failingSince: failureShown ? iso(this.#failingSince) : null,
      lastFailureCode: failureShown ? this.#lastFailureCode : null,
      lastFailureDetails: failureShown ? this.#lastFailureDetails : {},
      previousBackupPaths: [...this.#previousBackupPaths],
      nextRunAt,
      running: this.#running !== undefined,
      lastBackupAt: iso(this.#lastBackupAt),
      nextBackupAt: nextRunAt,
    };
  }

  #readSettings(): BackupSettings {
    return readBackupSettings(this.#instance.snapshot.config, this.#instance.backupPath);
  }

  async #reload(): Promise<void> {
    if (this.#stopped) return;
    const before = this.#settings.backup_path;
    this.#settings = this.#readSettings();
    // A failure belongs to the directory it happened in: once another path is saved, it is no news.
    if (this.#lastFailurePath !== null && this.#lastFailurePath !== this.#settings.backup_path) this.#forgetLastFailure();
    this.#notePathChange(before, this.#settings.backup_path);
    this.#reason = this.#instance.snapshot.demoMode ? 'demo mode' : this.#settings.backup_enabled ? null : 'turned off in the settings';
    this.#failures = 0;
    this.#failingSince = null;
    this.#notBefore = this.#clock.now() + this.#startDelayMs;
    const backups = await this.#listBackups(this.#settings.backup_path);
    const seed = backups.find((backup) => backup.trigger === 'scheduled') ?? backups.find((backup) => backup.trigger === null);
    this.#lastSuccessAt = seed ? Math.min(madeNoLaterThan(seed), this.#clock.now()) : null;
    this.#lastSuccessFile = seed?.fileName ?? null;
    this.#lastBackupAt = backups[0] ? madeNoLaterThan(backups[0]) : null;
    if (seed) {
      const hours = (this.#clock.now() - this.#lastSuccessAt!) / HOUR_MS;
      this.#log.info(
        { file: seed.fileName, hoursAgo: Number(hours.toFixed(1)) },
        'Backup schedule seeded from the newest scheduled backup',
      );
    }
    this.#arm();
  }

  /**
   * Remembers the directory backups went to before the backup path changed (newest first, a few
   * at most, in memory only), so the dashboard still counts the backups made there.
   */
  #notePathChange(before: string, after: string): void {
    const kept = this.#previousBackupPaths.filter((path) => path !== before && path !== after);
    this.#previousBackupPaths = before === after ? this.#previousBackupPaths.filter((path) => path !== after) : [before, ...kept];
    this.#previousBackupPaths = this.#previousBackupPaths.slice(0, MAX_PREVIOUS_PATHS);
  }

  async #listBackups(backupPath: string): Promise<BackupListEntry[]> {
    try {
      // A sealed backup's trigger is read with the instance's identities (else it is unknown).
      return await listBackups(backupPath, { identities: instanceIdentities(this.#instance) });
    } catch (error) {
      // The run will fail with the full explanation and retry; seeding just finds nothing.
      const message = error instanceof Error ? error.message : String(error);
      this.#log.warn({ path: backupPath }, `Could not list the backup directory for the schedule: ${message}`);
      return [];
    }
  }

  /** Clears the timer and, when the schedule should run, arms it for the next due time. */
  #arm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const active = this.#started && !this.#stopped && this.#pauses === 0 && this.#reason === null;
    if (!active || this.#running) {
      this.#nextRunAt = null;
      return;
    }
    const intervalMs = this.#settings.backup_interval_hours * HOUR_MS;
    let due: number;
    if (this.#failures > 0 && this.#lastFailureAt !== null) {
      due = this.#lastFailureAt + retryDelayMinutes(this.#failures) * MINUTE_MS;
    } else {
      due = this.#lastSuccessAt === null ? this.#clock.now() : this.#lastSuccessAt + intervalMs;
      due = Math.max(due, this.#notBefore);
    }
    this.#nextRunAt = due;
    const wait = Math.min(Math.max(0, due - this.#clock.now()), MAX_TIMER_MS);
    this.#timer = this.#clock.setTimeout(() => this.#onTimer(), wait);
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#nextRunAt === null || this.#running) return;
    if (this.#clock.now() < this.#nextRunAt) {
      this.#arm();
      return;
    }
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
      this.#arm();
    });
    this.#nextRunAt = null;
  }

  async #run(): Promise<void> {
    const settings = this.#settings;
    try {
      const job = this.#jobs.enqueue(
        backupJobSpec({
          dataDir: this.#instance.dataDir,
          backupDir: settings.backup_path,
          retention: backupRetentionRule(settings),
          identities: () => instanceIdentities(this.#instance),
          good: async (entry) => (await this.#verifications?.lookup(settings.backup_path, entry))?.ok,
          trigger: 'scheduled',
          seal: () => instanceSealKey(this.#instance),
          onFailure: (error, cause) => {
            // The job's message hides unexpected errors from clients; the log gets the details.
            if (error.code === 'INTERNAL') this.#log.warn({ err: cause }, 'Scheduled backup failed unexpectedly');
          },
        }),
      );
      const final = await this.#jobs.wait(job.id);
      if (this.#stopped) return;
      if (final.kind === 'backup' && final.state === 'succeeded' && final.result) {
        const result = final.result;
        this.#lastSuccessAt = this.#clock.now();
        this.#lastSuccessFile = result.fileName;
        this.#lastBackupAt = this.#lastSuccessAt;
        this.#failures = 0;
        this.#failingSince = null;
        this.#notBefore = 0;
        this.#log.info({ file: result.fileName, size: result.size, pruned: result.pruned }, 'Scheduled backup created');
        this.#alerts?.succeeded({ kind: 'scheduled-backup' }, { at: this.#lastSuccessAt, fileName: result.fileName });
        this.#onBackupCreated?.(result);
      } else {
        this.#fail(final.error ?? { code: 'CANCELLED', message: 'The backup was cancelled.', details: {} }, settings.backup_path);
      }
    } catch (error) {
      if (this.#stopped) return;
      this.#fail({ code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), details: {} }, settings.backup_path);
    }
  }

  #forgetLastFailure(): void {
    this.#lastFailureAt = null;
    this.#lastFailureMessage = null;
    this.#lastFailureCode = null;
    this.#lastFailureDetails = {};
    this.#lastFailurePath = null;
  }

  #fail(failure: { code: string; message: string; details: Record<string, string | number> }, backupPath: string): void {
    this.#lastFailurePath = backupPath;
    const { message } = failure;
    this.#failures += 1;
    this.#lastFailureAt = this.#clock.now();
    this.#failingSince ??= this.#lastFailureAt;
    this.#lastFailureMessage = message;
    this.#lastFailureCode = failure.code;
    this.#lastFailureDetails = failure.details;
    const retryInMinutes = retryDelayMinutes(this.#failures);
    // A backup someone cancelled did not fail: no alert and no /fail ping (issue 19 review). Should
    // no backup follow, the dead man's switch (alerts/stale-watch.ts) notices.
    if (failure.code !== 'CANCELLED') this.#alerts?.failed({ kind: 'scheduled-backup' }, { ...failure, at: this.#lastFailureAt });
    this.#log.warn({ path: this.#settings.backup_path, failures: this.#failures, retryInMinutes }, `Scheduled backup failed: ${message}`);
  }
}

/**
 * When a listed backup was made, for the schedule: {@link backupMadeNoLaterThan} (the earlier of the
 * time in its name and its modification time). Erring early only means a backup comes sooner.
 */
function madeNoLaterThan(backup: { fileName: string; modified: string }): number {
  return backupMadeNoLaterThan(backup.fileName, backup.modified).getTime();
}
