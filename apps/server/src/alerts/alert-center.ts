/**
 * The alert center: turns the outcomes every part reports (alert-signals.ts) into messages.
 *
 * Per subject (alert-state.ts's key) a failure state:
 *   ok       → failed()     → failing: the failure alert goes to every enabled channel, once
 *   failing  → failed()     → failing: counted, nothing sent (a retry that fails again is no news)
 *   failing  → succeeded()  → ok: the recovery goes out, once
 *   ok       → succeeded()  → ok: nothing
 * The state is written to the data directory before anything is sent, so a restart neither sends
 * an alert again nor forgets the recovery. Ping channels are not deduplicated: they hear about
 * every scheduled backup (URL on success, URL/fail on failure), so an outside monitor notices
 * silence too. Calls never throw and never wait; sending runs in the background, one outcome after
 * another, each channel with its own timeout. A delivery that fails is logged and recorded per
 * channel (the settings show it); it is not retried: the next state change sends again.
 */
import { sendAlert, type AlertChannel, type AlertMessage } from '@evidence-locker/core';
import type { Instance } from '../instance/instance.ts';
import type { SchedulerLog } from '../schedule/backup-scheduler.ts';
import type { AlertFailure, AlertSignals, AlertSubject, AlertSuccess } from './alert-signals.ts';
import { alertSubjectKey, readAlertsState, writeAlertsState, type AlertsState, type Delivery } from './alert-state.ts';
import { failureMessage, recoveryMessage } from './alert-texts.ts';
import { instanceAlertChannels } from './instance-alert-channels.ts';

/** Options of {@link AlertCenter}. */
export interface AlertCenterOptions {
  instance: Instance;
  log?: SchedulerLog;
  /** How a message reaches a channel (default: core's sendAlert). */
  send?: (channel: AlertChannel, message: AlertMessage) => Promise<void>;
  /** Now, in milliseconds (default Date.now). */
  now?: () => number;
}

const silentLog: SchedulerLog = { info: () => undefined, warn: () => undefined };

export class AlertCenter implements AlertSignals {
  readonly #instance: Instance;
  readonly #log: SchedulerLog;
  readonly #send: (channel: AlertChannel, message: AlertMessage) => Promise<void>;
  readonly #now: () => number;
  #state: AlertsState | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: AlertCenterOptions) {
    this.#instance = options.instance;
    this.#log = options.log ?? silentLog;
    this.#send = options.send ?? sendAlert;
    this.#now = options.now ?? Date.now;
  }

  failed(subject: AlertSubject, failure: AlertFailure): void {
    this.#enqueue(async () => {
      const state = await this.#load();
      const key = alertSubjectKey(subject);
      const current = state.failing[key];
      if (subject.kind === 'scheduled-backup') await this.#ping(false, state);
      if (current !== undefined) {
        state.failing[key] = { ...current, lastAt: failure.at, code: failure.code, message: failure.message, count: current.count + 1 };
        await this.#save(state);
        return;
      }
      state.failing[key] = {
        since: failure.at,
        lastAt: failure.at,
        code: failure.code,
        message: failure.message,
        count: 1,
        ...(subject.kind === 'target' ? { name: subject.name } : {}),
      };
      await this.#save(state);
      this.#log.warn({ subject: key, code: failure.code }, `Alert: ${failure.message}`);
      await this.#deliver(failureMessage(subject, failure), state);
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
        return;
      }
      delete state.failing[key];
      await this.#save(state);
      this.#log.info({ subject: key }, 'Alert: recovered');
      await this.#deliver(recoveryMessage(subject, success, current.since), state);
    });
  }

  /** The failure states now (subject key → since when), and each channel's last delivery. */
  async state(): Promise<AlertsState> {
    await this.idle();
    const state = await this.#load();
    return structuredClone(state);
  }

  /** Records the outcome of a "Send test" for the settings' list. */
  recordDelivery(channelId: string, delivery: Delivery): void {
    this.#enqueue(async () => {
      const state = await this.#load();
      state.deliveries[channelId] = delivery;
      await this.#save(state);
    });
  }

  /** Forgets a removed target's failure state (no recovery will ever come for it). */
  forgetTarget(targetId: string): void {
    this.#enqueue(async () => {
      const state = await this.#load();
      if (state.failing[`target:${targetId}`] === undefined) return;
      delete state.failing[`target:${targetId}`];
      await this.#save(state);
    });
  }

  /** Forgets a removed channel's last delivery. */
  forgetChannel(channelId: string): void {
    this.#enqueue(async () => {
      const state = await this.#load();
      delete state.deliveries[channelId];
      await this.#save(state);
    });
  }

  /** Resolves once every reported outcome was handled and sent (for tests and shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const queue = this.#queue;
      await queue;
      if (queue === this.#queue) return;
    }
  }

  #enqueue(work: () => Promise<void>): void {
    this.#queue = this.#queue.then(work).catch((error: unknown) => this.#log.warn({ err: error }, 'Could not handle an alert'));
  }

  async #load(): Promise<AlertsState> {
    if (this.#state === undefined) {
      try {
        this.#state = await readAlertsState(this.#instance.dataDir);
      } catch (error) {
        this.#log.warn({ err: error }, 'Could not read the alerts state; starting without it');
        this.#state = { failing: {}, deliveries: {} };
      }
    }
    return this.#state;
  }

  async #save(state: AlertsState): Promise<void> {
    try {
      await writeAlertsState(this.#instance.dataDir, state);
    } catch (error) {
      // Kept in memory all the same: this process still sends one alert per failure state.
      this.#log.warn({ err: error }, 'Could not save the alerts state');
    }
  }

  #channels(): AlertChannel[] {
    return instanceAlertChannels(this.#instance).channels.filter((channel) => channel.enabled && channel.unusable === undefined);
  }

  async #deliver(message: AlertMessage, state: AlertsState): Promise<void> {
    const channels = this.#channels().filter((channel) => channel.kind !== 'ping');
    await this.#sendAll(channels, message, message.event, state);
  }

  async #ping(ok: boolean, state: AlertsState): Promise<void> {
    const channels = this.#channels().filter((channel) => channel.kind === 'ping');
    if (channels.length === 0) return;
    const at = new Date(this.#now()).toISOString();
    const message: AlertMessage = ok
      ? { event: 'recovery', subject: 'scheduled-backup', title: 'ok', text: 'ok', at, instance: 'Evidence Locker' }
      : { event: 'failure', subject: 'scheduled-backup', title: 'fail', text: 'fail', at, instance: 'Evidence Locker' };
    await this.#sendAll(channels, message, ok ? 'ping' : 'ping-fail', state);
  }

  async #sendAll(channels: AlertChannel[], message: AlertMessage, event: string, state: AlertsState): Promise<void> {
    if (channels.length === 0) return;
    const outcomes = await Promise.allSettled(channels.map((channel) => this.#send(channel, message)));
    for (const [index, outcome] of outcomes.entries()) {
      const channel = channels[index]!;
      if (outcome.status === 'fulfilled') {
        state.deliveries[channel.id] = { at: this.#now(), ok: true, event };
        continue;
      }
      const error = outcome.reason as { code?: unknown; message?: unknown };
      const code = typeof error.code === 'string' ? error.code : 'INTERNAL';
      const text = typeof error.message === 'string' ? error.message : String(outcome.reason);
      state.deliveries[channel.id] = { at: this.#now(), ok: false, event, code, message: text };
      this.#log.warn({ channel: channel.id, kind: channel.kind, code }, `Could not send an alert through "${channel.name}": ${text}`);
    }
    await this.#save(state);
  }
}
