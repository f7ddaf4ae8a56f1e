/**
 * Sends new backups off the machine: after every successful Backup now and scheduled backup, one
 * `push` job (push-job.ts) per enabled target, in that target's lane. A push never fails, delays or
 * deletes the local backup: it starts after the backup job succeeded and only reads its file.
 *
 * Per target, at most one thing is waiting:
 *   idle      nothing to send.
 *   queued    a push job waits in the target's lane (behind one that runs, if any).
 *   running   the push job runs; when it fails, a retry timer is armed: 1, 2, 4 … minutes after
 *             the failure (doubling per failure since the last success, at most 6 hours), recorded
 *             as `nextTryAt` with the failure (core's target-state.ts). One timer per target: a
 *             failure never turns into a job per tick.
 *   retrying  the timer is armed; when it fires it queues one push of the same backup.
 * A newer backup supersedes what waits (a queued push is cancelled, an armed retry cleared): the
 * newest backup is what should reach the target. A push the user cancels is not retried. At start,
 * a retry recorded as due by a previous run is armed again for the newest local backup.
 */
import { listBackups } from '@evidence-locker/core';
import path from 'node:path';
import type { AlertSignals } from '../alerts/alert-signals.ts';
import type { Instance } from '../instance/instance.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { JobSnapshotOf } from '../jobs/job-snapshot.ts';
import type { SchedulerClock, SchedulerLog } from '../schedule/backup-scheduler.ts';
import { findInstanceTarget, instanceTargets } from './instance-targets.ts';
import { pushJobSpec } from './push-job.ts';
import { readTargetState, type BackupTrigger } from '@evidence-locker/core';

/** Retries wait at most this long. */
export const MAX_PUSH_RETRY_MINUTES = 6 * 60;

/** Minutes before the next try after `failures` failures in a row: 1, 2, 4 … capped at 6 hours. */
export function pushRetryMinutes(failures: number): number {
  return Math.min(MAX_PUSH_RETRY_MINUTES, 2 ** Math.min(Math.max(0, failures - 1), 16));
}

/** Options of {@link TargetPusher}. */
export interface TargetPusherOptions {
  instance: Instance;
  jobs: JobRunner;
  log?: SchedulerLog;
  /** Default: the real clock with unref'd timers. */
  clock?: SchedulerClock;
  /** Told every push's outcome as `{ kind: 'target', id, name }` (default: nobody). */
  alerts?: AlertSignals;
}

interface Waiting {
  fileName: string;
  backupDir: string;
  /** What made the backup, when known (else the push reads it from the file). */
  trigger?: BackupTrigger | null | undefined;
  /** The armed retry timer, if any. */
  timer?: unknown;
}

const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const silentLog: SchedulerLog = { info: () => undefined, warn: () => undefined };

export class TargetPusher {
  readonly #instance: Instance;
  readonly #jobs: JobRunner;
  readonly #log: SchedulerLog;
  readonly #clock: SchedulerClock;
  readonly #alerts: AlertSignals | undefined;
  /** Per target id: its push jobs not yet finished, oldest first. */
  readonly #jobIds = new Map<string, string[]>();
  /** Per target id: the armed retry. */
  readonly #retries = new Map<string, Waiting>();
  #stopped = false;

  constructor(options: TargetPusherOptions) {
    this.#instance = options.instance;
    this.#jobs = options.jobs;
    this.#log = options.log ?? silentLog;
    this.#clock = options.clock ?? realClock;
    this.#alerts = options.alerts;
  }

  /** After a successful Backup now or scheduled backup: a push of it to every enabled target. */
  backupCreated(result: { fileName: string; path: string; trigger?: BackupTrigger | undefined }): void {
    if (this.#stopped) return;
    const backupDir = path.dirname(result.path);
    for (const target of instanceTargets(this.#instance).targets) {
      if (!target.enabled || target.unusable !== undefined) continue;
      try {
        this.push(target.id, result.fileName, backupDir, { supersede: true, trigger: result.trigger });
      } catch (error) {
        this.#log.warn({ target: target.id }, `Could not queue the copy to "${target.name}": ${(error as Error).message}`);
      }
    }
  }

  /**
   * Queues a push of `fileName` (in `backupDir`) to target `targetId` and returns its job. With
   * `supersede`, a push still queued for that target is cancelled (a newer backup replaces it).
   * Any armed retry of the target is cleared: this push replaces it. `trigger`: what made the backup,
   * when known (else the job reads it from the file). TARGET_NOT_FOUND for an unknown id.
   */
  push(
    targetId: string,
    fileName: string,
    backupDir: string,
    options: { supersede?: boolean; trigger?: BackupTrigger | null | undefined } = {},
  ): JobSnapshotOf<'push'> {
    const target = findInstanceTarget(this.#instance, targetId);
    this.#clearRetry(targetId);
    if (options.supersede === true) {
      for (const id of this.#liveJobIds(targetId)) {
        if (this.#jobs.get(id)?.state === 'queued') this.#jobs.cancel(id);
      }
    }
    const job = this.#jobs.enqueue(
      pushJobSpec({
        instance: this.#instance,
        targetId,
        backupDir,
        fileName,
        trigger: options.trigger,
        now: () => this.#clock.now(),
        retryAt: (failures) => new Date(this.#clock.now() + pushRetryMinutes(failures) * 60_000),
        onSettled: ({ retryAt, succeeded, failure }) => {
          if (retryAt !== null) this.#armRetry(targetId, { fileName, backupDir, trigger: options.trigger }, retryAt.getTime());
          const subject = { kind: 'target', id: targetId, name: target.name } as const;
          const at = this.#clock.now();
          if (succeeded) this.#alerts?.succeeded(subject, { at, fileName });
          else if (failure !== undefined) this.#alerts?.failed(subject, { ...failure, at, fileName });
        },
      }),
    );
    this.#jobIds.set(targetId, [...this.#liveJobIds(targetId), job.id]);
    void this.#jobs.wait(job.id).then(() => this.#jobIds.set(targetId, this.#liveJobIds(targetId)));
    return job;
  }

  /** True while a push to `targetId` is queued or running. */
  pushing(targetId: string): boolean {
    return this.#liveJobIds(targetId).length > 0;
  }

  /** A removed target: its armed retry cleared and its pushes cancelled. */
  forget(targetId: string): void {
    this.#clearRetry(targetId);
    for (const id of this.#liveJobIds(targetId)) this.#jobs.cancel(id);
    this.#jobIds.delete(targetId);
  }

  /**
   * Arms the retries a previous run recorded as due (`nextTryAt`), for the newest local backup.
   * Failures are logged: pushes are extra copies, a start never fails for them.
   */
  async start(): Promise<void> {
    try {
      const states = await readTargetState(this.#instance.dataDir);
      const due = instanceTargets(this.#instance).targets.filter(
        (target) => target.enabled && states[target.id]?.nextTryAt != null && !this.#retries.has(target.id) && !this.pushing(target.id),
      );
      if (due.length === 0) return;
      const backupDir = this.#instance.backupPath;
      const newest = (await listBackups(backupDir))[0];
      if (newest === undefined) return;
      for (const target of due) {
        this.#armRetry(target.id, { fileName: newest.fileName, backupDir }, Date.parse(states[target.id]!.nextTryAt!));
      }
    } catch (error) {
      this.#log.warn({ err: error }, 'Could not resume the retries of offsite copies');
    }
  }

  /** Clears every armed retry; nothing is armed afterwards (the server is closing). */
  stop(): void {
    this.#stopped = true;
    for (const targetId of [...this.#retries.keys()]) this.#clearRetry(targetId);
  }

  #liveJobIds(targetId: string): string[] {
    return (this.#jobIds.get(targetId) ?? []).filter((id) => {
      const state = this.#jobs.get(id)?.state;
      return state === 'queued' || state === 'running';
    });
  }

  #armRetry(targetId: string, waiting: Waiting, at: number): void {
    if (this.#stopped) return;
    this.#clearRetry(targetId);
    const entry: Waiting = { ...waiting };
    entry.timer = this.#clock.setTimeout(() => this.#onRetry(targetId, entry), Math.max(0, at - this.#clock.now()));
    this.#retries.set(targetId, entry);
  }

  #onRetry(targetId: string, entry: Waiting): void {
    if (this.#retries.get(targetId) !== entry || this.#stopped) return;
    this.#retries.delete(targetId);
    try {
      const target = findInstanceTarget(this.#instance, targetId);
      if (!target.enabled) return;
      this.push(targetId, entry.fileName, entry.backupDir, { supersede: true, trigger: entry.trigger });
    } catch (error) {
      this.#log.warn({ target: targetId }, `Could not retry the offsite copy: ${(error as Error).message}`);
    }
  }

  #clearRetry(targetId: string): void {
    const entry = this.#retries.get(targetId);
    if (entry === undefined) return;
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    this.#retries.delete(targetId);
  }
}
