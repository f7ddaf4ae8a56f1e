/**
 * The alert center: turns the outcomes every part reports (alert-signals.ts) into messages.
 *
 * Per subject (alert-state.ts's key) a failure state:
 *   ok       → failed()     → failing: the failure alert goes to every enabled channel, once
 *   failing  → failed()     → failing: counted, nothing new sent (a retry that fails again is no news)
 *   failing  → succeeded()  → ok: the recovery goes out, once
 *   ok       → succeeded()  → ok: nothing
 * The state and the message (in the outbox, with the channels still owed it) are written to the
 * data directory before anything is sent, so a restart neither sends an alert again nor forgets
 * it or the recovery. A channel that does not accept a message (ntfy or the mail server down for a
 * while) is owed it: it is sent again on every later outcome reported and on a backoff timer
 * (1, 2, 4 … 60 minutes), in order, until the channel accepts it or is removed or turned off.
 * Ping channels are not deduplicated and not retried: they hear about every scheduled backup (URL
 * on success, URL/fail on failure), so an outside monitor notices silence too. Calls never throw
 * and never wait; sending runs in the background, one outcome after another, each channel with its
 * own timeout. Each channel's last delivery is recorded (the settings show it).
 */
import { ALERT_LANGUAGES, sendAlert, type AlertChannel, type AlertLanguage, type AlertMessage } from '@evidence-locker/core';
import type { Instance } from '../instance/instance.ts';
import type { SchedulerClock, SchedulerLog } from '../schedule/backup-scheduler.ts';
import { instanceTargets } from '../targets/instance-targets.ts';
import type { AlertFailure, AlertSignals, AlertSubject, AlertSuccess } from './alert-signals.ts';
import { alertSubjectKey, readAlertsState, writeAlertsState, type AlertsState, type Delivery, type OutboxEntry } from './alert-state.ts';
import { alertLanguage, failureMessage, recoveryMessage } from './alert-texts.ts';
import { instanceAlertChannels } from './instance-alert-channels.ts';

const MINUTE_MS = 60_000;
/** How long a message owed to a channel waits at most between tries. */
const MAX_RETRY_MS = 60 * MINUTE_MS;
/** The outbox keeps at most this many messages (the oldest go first). */
const OUTBOX_MAX = 100;
/** How long closing waits for sends in progress (a hung channel must not hold up a shutdown). */
export const ALERTS_CLOSE_WAIT_MS = 5_000;

/** The wait before try `attempts + 1`: 1, 2, 4 … 60 minutes. */
export function alertRetryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, MINUTE_MS * 2 ** Math.max(0, attempts - 1));
}

/** Options of {@link AlertCenter}. */
export interface AlertCenterOptions {
  instance: Instance;
  log?: SchedulerLog;
  /** How a message reaches a channel (default: core's sendAlert). */
  send?: (channel: AlertChannel, message: AlertMessage) => Promise<void>;
  /** Time and the retry timer (default: the real clock, unref'd timers). */
  clock?: SchedulerClock;
}

const silentLog: SchedulerLog = { info: () => undefined, warn: () => undefined };

const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The string and number facts of `details` (what a code's text may name). */
function plainDetails(details: unknown): Record<string, string | number> | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const kept = Object.entries(details).filter((entry): entry is [string, string | number] =>
    ['string', 'number'].includes(typeof entry[1]),
  );
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

export class AlertCenter implements AlertSignals {
  readonly #instance: Instance;
  readonly #log: SchedulerLog;
  readonly #send: (channel: AlertChannel, message: AlertMessage) => Promise<void>;
  readonly #clock: SchedulerClock;
  #state: AlertsState | undefined;
  #loading: Promise<AlertsState> | undefined;
  #queue: Promise<void> = Promise.resolve();
  #timer: unknown;
  #closed = false;

  constructor(options: AlertCenterOptions) {
    this.#instance = options.instance;
    this.#log = options.log ?? silentLog;
    this.#send = options.send ?? sendAlert;
    this.#clock = options.clock ?? realClock;
  }

  /** Sends what the last run of the server still owed its channels (call once the server is up). */
  start(): void {
    this.#enqueue(async () => {
      const state = await this.#load();
      const unwatched = this.#unwatchedTargets(state, true);
      for (const key of unwatched) delete state.failing[key];
      if (unwatched.length > 0) await this.#save(state);
      await this.#flush(state, true);
    });
  }

  failed(subject: AlertSubject, failure: AlertFailure): void {
    this.#enqueue(async () => {
      const state = await this.#load();
      const key = alertSubjectKey(subject);
      const current = state.failing[key];
      const details = plainDetails(failure.details);
      if (subject.kind === 'scheduled-backup') await this.#ping(false, state);
      if (current !== undefined) {
        state.failing[key] = {
          ...current,
          lastAt: failure.at,
          code: failure.code,
          message: failure.message,
          ...(details === undefined ? {} : { details }),
          count: current.count + 1,
        };
        if (details === undefined) delete state.failing[key].details;
        await this.#save(state);
        // A retry that fails again is no news, but a channel still owed the alert gets it now.
        await this.#flush(state, true);
        return;
      }
      state.failing[key] = {
        since: failure.at,
        lastAt: failure.at,
        code: failure.code,
        message: failure.message,
        ...(details === undefined ? {} : { details }),
        count: 1,
        ...(subject.kind === 'target' ? { name: subject.name } : {}),
      };
      this.#log.warn({ subject: key, code: failure.code }, `Alert: ${failure.message}`);
      await this.#deliver((language) => failureMessage(subject, failure, language), state);
    });
  }

  succeeded(subject: AlertSubject, success: AlertSuccess): void {
    this.#enqueue(async () => {
      const state = await this.#load();
      const key = alertSubjectKey(subject);
      const current = state.failing[key];
      if (subject.kind === 'scheduled-backup') await this.#ping(true, state);
      if (current === undefined) {
        if (subject.kind === 'scheduled-backup') await this.#save(state);
        await this.#flush(state, true);
        return;
      }
      delete state.failing[key];
      this.#log.info({ subject: key }, 'Alert: recovered');
      await this.#deliver((language) => recoveryMessage(subject, success, current.since, language), state);
    });
  }

  /**
   * The failure states now (subject key → since when), and each channel's last delivery: what is
   * recorded so far, without waiting for sends in progress (a hung channel must not hold up the
   * settings page). A target's state ends when the target is removed or turned off.
   */
  async state(): Promise<AlertsState> {
    const state = structuredClone(await this.#load());
    for (const key of this.#unwatchedTargets(state, false)) {
      delete state.failing[key];
      this.forget({ kind: 'target', id: key.slice('target:'.length) });
    }
    return state;
  }

  /** Records the outcome of a "Send test" for the settings' list. */
  recordDelivery(channelId: string, delivery: Delivery): void {
    this.#enqueue(async () => {
      const state = await this.#load();
      state.deliveries[channelId] = delivery;
      await this.#save(state);
    });
  }

  /**
   * Ends the failure state of a subject nobody watches any more (a removed or disabled target, the
   * schedule turned off or moved to another directory), without a recovery: none would ever come.
   */
  forget(subject: AlertSubject | { kind: 'target'; id: string }): void {
    const key = subject.kind === 'target' ? `target:${subject.id}` : subject.kind;
    this.#enqueue(async () => {
      const state = await this.#load();
      if (state.failing[key] === undefined) return;
      delete state.failing[key];
      this.#log.info({ subject: key }, 'Alert: no longer watched; its failure state ends without a recovery');
      await this.#save(state);
    });
  }

  /** Forgets a removed target's failure state (no recovery will ever come for it). */
  forgetTarget(targetId: string): void {
    this.forget({ kind: 'target', id: targetId });
  }

  /** Forgets a removed channel's last delivery and what it was still owed. */
  forgetChannel(channelId: string): void {
    this.#enqueue(async () => {
      const state = await this.#load();
      delete state.deliveries[channelId];
      for (const entry of state.outbox) entry.channels = entry.channels.filter((id) => id !== channelId);
      state.outbox = state.outbox.filter((entry) => entry.channels.length > 0);
      await this.#save(state);
    });
  }

  /** Resolves once every reported outcome was handled and sent (for tests). */
  async idle(): Promise<void> {
    for (;;) {
      const queue = this.#queue;
      await queue;
      if (queue === this.#queue) return;
    }
  }

  /**
   * Stops the retry timer and waits for the sends in progress, at most `limitMs` (server closing:
   * a channel that hangs must not hold up the shutdown; what it is owed stays in the outbox).
   */
  async close(limitMs = ALERTS_CLOSE_WAIT_MS): Promise<void> {
    this.#closed = true;
    this.#disarm();
    let timer: unknown;
    const limit = new Promise<void>((resolve) => {
      timer = this.#clock.setTimeout(resolve, limitMs);
    });
    await Promise.race([this.idle(), limit]);
    this.#clock.clearTimeout(timer);
  }

  #enqueue(work: () => Promise<void>): void {
    this.#queue = this.#queue.then(work).catch((error: unknown) => this.#log.warn({ err: error }, 'Could not handle an alert'));
  }

  #load(): Promise<AlertsState> {
    if (this.#state !== undefined) return Promise.resolve(this.#state);
    this.#loading ??= (async () => {
      try {
        this.#state = await readAlertsState(this.#instance.dataDir);
      } catch (error) {
        this.#log.warn({ err: error }, 'Could not read the alerts state; starting without it');
        this.#state = { failing: {}, deliveries: {}, outbox: [] };
      }
      return this.#state;
    })();
    return this.#loading;
  }

  async #save(state: AlertsState): Promise<void> {
    try {
      await writeAlertsState(this.#instance.dataDir, state);
    } catch (error) {
      // Kept in memory all the same: this process still sends one alert per failure state.
      this.#log.warn({ err: error }, 'Could not save the alerts state');
    }
  }

  /**
   * The failure states of targets nobody pushes to any more: turned off, or (`missing`, at the
   * start: a config restored while the server was down) no longer there.
   */
  #unwatchedTargets(state: AlertsState, missing: boolean): string[] {
    let read;
    try {
      read = instanceTargets(this.#instance);
    } catch {
      return [];
    }
    const byId = new Map(read.targets.map((target) => [target.id, target]));
    return Object.keys(state.failing).filter((key) => {
      if (!key.startsWith('target:')) return false;
      const target = byId.get(key.slice('target:'.length));
      // A hand-edited entry that is not readable may be a missing target: then it is kept.
      return target === undefined ? missing && read.unreadable.length === 0 : !target.enabled;
    });
  }

  #channels(): AlertChannel[] {
    return instanceAlertChannels(this.#instance).channels.filter((channel) => channel.enabled && channel.unusable === undefined);
  }

  /**
   * Puts the message `write` writes (in every language: a channel's language may change before it
   * accepts) in the outbox for every alert channel, saves, then sends everything owed.
   */
  async #deliver(write: (language: AlertLanguage) => AlertMessage, state: AlertsState): Promise<void> {
    const channels = this.#channels().filter((channel) => channel.kind !== 'ping');
    if (channels.length > 0) {
      const messages = Object.fromEntries(
        ALERT_LANGUAGES.filter((language) => language !== 'en').map((language) => [language, write(language)]),
      );
      state.outbox.push({
        message: write('en'),
        messages,
        channels: channels.map((channel) => channel.id),
        attempts: 0,
        nextAt: this.#clock.now(),
      });
      state.outbox.splice(0, Math.max(0, state.outbox.length - OUTBOX_MAX));
    }
    await this.#save(state);
    await this.#flush(state, true);
  }

  /**
   * Sends each message in the outbox (oldest first) to the channels still owed it: all of them
   * when `now`, else those whose retry is due. A channel removed or turned off is owed nothing.
   */
  async #flush(state: AlertsState, now: boolean): Promise<void> {
    this.#disarm();
    if (state.outbox.length === 0) return;
    const channels = new Map(
      this.#channels()
        .filter((channel) => channel.kind !== 'ping')
        .map((channel) => [channel.id, channel]),
    );
    let changed = false;
    for (const entry of state.outbox) {
      const owed = entry.channels.filter((id) => channels.has(id));
      if (owed.length !== entry.channels.length) changed = true;
      entry.channels = owed;
      if (owed.length === 0 || (!now && entry.nextAt > this.#clock.now())) continue;
      const failed = await this.#sendAll(
        owed.map((id) => channels.get(id)!),
        (channel) => this.#messageFor(entry, channel),
        entry.message.event,
        state,
      );
      entry.channels = failed;
      entry.attempts += 1;
      entry.nextAt = this.#clock.now() + alertRetryDelayMs(entry.attempts);
      changed = true;
    }
    state.outbox = state.outbox.filter((entry) => entry.channels.length > 0);
    if (changed) await this.#save(state);
    this.#arm(state);
  }

  /** `entry`'s message in `channel`'s language (English when the entry has none in it). */
  #messageFor(entry: OutboxEntry, channel: AlertChannel): AlertMessage {
    const language = alertLanguage(channel, this.#instance.snapshot.config);
    return (language === 'en' ? undefined : entry.messages[language]) ?? entry.message;
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Arms the retry timer for the first message owed, unless closed. */
  #arm(state: AlertsState): void {
    this.#disarm();
    if (this.#closed || state.outbox.length === 0) return;
    const due = Math.min(...state.outbox.map((entry) => entry.nextAt));
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#enqueue(async () => this.#flush(await this.#load(), false));
      },
      Math.max(0, due - this.#clock.now()),
    );
  }

  async #ping(ok: boolean, state: AlertsState): Promise<void> {
    const channels = this.#channels().filter((channel) => channel.kind === 'ping');
    if (channels.length === 0) return;
    const at = new Date(this.#clock.now()).toISOString();
    const message: AlertMessage = ok
      ? { event: 'recovery', subject: 'scheduled-backup', title: 'ok', text: 'ok', at, instance: 'Evidence Locker' }
      : { event: 'failure', subject: 'scheduled-backup', title: 'fail', text: 'fail', at, instance: 'Evidence Locker' };
    await this.#sendAll(channels, () => message, ok ? 'ping' : 'ping-fail', state);
    await this.#save(state);
  }

  /** Sends each of `channels` its `message` at once, records each delivery; the ids of those that failed. */
  async #sendAll(
    channels: AlertChannel[],
    message: (channel: AlertChannel) => AlertMessage,
    event: string,
    state: AlertsState,
  ): Promise<string[]> {
    if (channels.length === 0) return [];
    const outcomes = await Promise.allSettled(channels.map((channel) => this.#send(channel, message(channel))));
    const failed: string[] = [];
    for (const [index, outcome] of outcomes.entries()) {
      const channel = channels[index]!;
      if (outcome.status === 'fulfilled') {
        state.deliveries[channel.id] = { at: this.#clock.now(), ok: true, event };
        continue;
      }
      failed.push(channel.id);
      const error = outcome.reason as { code?: unknown; message?: unknown; details?: unknown };
      const code = typeof error.code === 'string' ? error.code : 'INTERNAL';
      const text = typeof error.message === 'string' ? error.message : String(outcome.reason);
      const details = plainDetails(error.details);
      state.deliveries[channel.id] = {
        at: this.#clock.now(),
        ok: false,
        event,
        code,
        message: text,
        ...(details === undefined ? {} : { details }),
      };
      this.#log.warn({ channel: channel.id, kind: channel.kind, code }, `Could not send an alert through "${channel.name}": ${text}`);
    }
    return failed;
  }
}
