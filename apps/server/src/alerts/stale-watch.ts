/**
 * The dead man's switch: while the backup schedule is on, a successful scheduled backup must be
 * no older than 1.5 times the interval. It does not wait for the schedule to report a failure, so
 * it also fires when the schedule itself has stopped (a hung job, a timer that never came back, a
 * host that slept): it looks at the clock on its own timer. Reported to the alerts as
 * `{ kind: 'stale' }`: failed once the limit is passed, succeeded once a backup is recent again.
 *
 * The reference is the newest scheduled backup the schedule knows (seeded from the backup
 * directory at start), but never earlier than the moment the watch first saw the schedule on for
 * that directory (schedule turned on, backup path changed; at the server's start only when there
 * is no backup at all): so a fresh instance that never manages a backup is noticed, and turning
 * the schedule on after a month off is not.
 * Nothing is stale before the start delay and one backup run have passed since the start (the
 * catch-up backup after downtime comes first: no alert and recovery a minute apart on a restart).
 * A recovery is reported only for a backup that is itself recent. With the schedule off
 * (settings, demo mode) nothing is checked, and the failure states of the schedule and of this
 * watch end without a recovery (onUnwatched), as they do when the backup path changes.
 */
import type { AlertSignals } from './alert-signals.ts';
import type { SchedulerClock } from '../schedule/backup-scheduler.ts';
import type { ScheduleState } from '../schedule-state.ts';
import { alertTime } from './alert-texts.ts';

/** A backup is stale after this many intervals. */
export const STALE_FACTOR = 1.5;
const HOUR_MS = 3_600_000;
/** The watch looks at the clock at least this often. */
const MAX_WAIT_MS = HOUR_MS;
/** How long the catch-up backup after a start may take before a stale backup counts (beyond the start delay). */
export const STALE_RUN_GRACE_MS = HOUR_MS;

/** Options of {@link StaleWatch}. */
export interface StaleWatchOptions {
  /** The schedule's state now (null while no schedule runs). */
  schedule: () => ScheduleState | null;
  /** Where the outcome goes (a function, so a test that swaps `services.alerts` is heard). */
  alerts: () => AlertSignals;
  /** Default: the real clock with unref'd timers. */
  clock?: SchedulerClock;
  /**
   * Nothing counts as stale before this long after start(): the schedule's start delay and one
   * backup run (default {@link STALE_RUN_GRACE_MS}). After downtime the catch-up backup comes first,
   * so a restart does not send an alert and, a minute later, its recovery.
   */
  startGraceMs?: number;
  /**
   * Called when the schedule is no longer watched for the directory it was (turned off, demo mode,
   * another backup path; at the start when it is off): the failure states of the schedule and of
   * this watch end there, without a recovery, since none would ever come.
   */
  onUnwatched?: () => void;
}

const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class StaleWatch {
  readonly #schedule: () => ScheduleState | null;
  readonly #alerts: () => AlertSignals;
  readonly #clock: SchedulerClock;
  readonly #startGraceMs: number;
  readonly #onUnwatched: () => void;
  #startedAt: number | null = null;
  #timer: unknown;
  #stale = false;
  #stopped = false;
  /** The directory watched and since when (null while the schedule is off). */
  #watching: { path: string; since: number } | null = null;
  #firstLook = true;

  constructor(options: StaleWatchOptions) {
    this.#schedule = options.schedule;
    this.#alerts = options.alerts;
    this.#clock = options.clock ?? realClock;
    this.#startGraceMs = options.startGraceMs ?? STALE_RUN_GRACE_MS;
    this.#onUnwatched = options.onUnwatched ?? (() => undefined);
  }

  /** Starts watching (call once the schedule has loaded its settings). Idempotent. */
  start(): void {
    if (this.#startedAt !== null || this.#stopped) return;
    this.#startedAt = this.#clock.now();
    this.check();
  }

  /** Looks now (after a backup, a settings change) and arms the next look. */
  check(): void {
    if (this.#startedAt === null || this.#stopped) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.#clock.now();
    const state = this.#schedule();
    let wait = MAX_WAIT_MS;
    if (state === null || !state.enabled) {
      if (this.#watching !== null || this.#firstLook) this.#unwatched();
      this.#watching = null;
      this.#firstLook = false;
    } else {
      // Counting starts when the watch first saw this schedule on for this directory: turning the
      // schedule on after a month off, or a new empty directory, is not "a month without backups".
      if (this.#watching?.path !== state.backupPath) {
        if (this.#watching !== null) this.#unwatched();
        // The first look after the start trusts the backup's own age (the server being down
        // does not stop the clock); later changes start counting afresh.
        const first = this.#firstLook && state.lastSuccessAt !== null;
        this.#watching = { path: state.backupPath, since: first ? -Infinity : now };
      }
      this.#firstLook = false;
      const limitMs = state.intervalHours * STALE_FACTOR * HOUR_MS;
      const lastSuccess = state.lastSuccessAt === null ? null : Date.parse(state.lastSuccessAt);
      const reference = Math.max(lastSuccess ?? -Infinity, this.#watching.since);
      const dueBy = Math.max(reference + limitMs, this.#startedAt + this.#startGraceMs);
      if (lastSuccess !== null && now - lastSuccess <= limitMs) {
        // A recent backup: the end of a stale state, if there was one (the alerts know).
        this.#stale = false;
        this.#alerts().succeeded(
          { kind: 'stale' },
          { at: lastSuccess, ...(state.lastSuccessFile === null ? {} : { fileName: state.lastSuccessFile }) },
        );
      }
      if (now > dueBy) {
        if (!this.#stale) {
          this.#stale = true;
          this.#alerts().failed({ kind: 'stale' }, staleFailure(now, lastSuccess, state.intervalHours, dueBy));
        }
      } else {
        wait = Math.min(MAX_WAIT_MS, dueBy - now + 1000);
      }
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.check();
    }, wait);
  }

  #unwatched(): void {
    this.#stale = false;
    this.#onUnwatched();
  }

  /** Stops for good (server closing). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** `1 hour`, `5 hours`. */
function hoursText(count: number): string {
  return count === 1 ? '1 hour' : `${count} hours`;
}

function staleFailure(now: number, lastSuccess: number | null, intervalHours: number, dueBy: number) {
  const hours = Math.floor((now - (lastSuccess ?? dueBy - intervalHours * STALE_FACTOR * HOUR_MS)) / HOUR_MS);
  const newest =
    lastSuccess === null
      ? 'There has been no successful scheduled backup since the server started'
      : `The newest successful scheduled backup is from ${alertTime(lastSuccess)}, ${hoursText(hours)} ago`;
  return {
    code: 'BACKUP_STALE',
    message: `${newest}; the schedule runs every ${hoursText(intervalHours)}, and none succeeded by ${alertTime(dueBy)} (one and a half intervals).`,
    // The times too, so each channel's language can say them its way (alert-words-de.ts).
    details: { hours, intervalHours, dueAt: dueBy, ...(lastSuccess === null ? {} : { lastSuccessAt: lastSuccess }) },
    at: now,
  };
}
