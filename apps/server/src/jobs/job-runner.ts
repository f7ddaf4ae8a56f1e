/**
 * Runs long work one job at a time, in order, and tells watchers about every change.
 *
 * Lifecycle of a job: `queued` (waiting for the job before it) → `running` → `succeeded`,
 * `failed` (with the engine's error code and message) or `cancelled` (cancel(), with the code
 * CANCELLED; or the server shutting down, close(), with SERVER_SHUTDOWN). A job is `cancellable`
 * while queued, and while running until its spec says otherwise (a restore that started putting
 * its files in place) or a cancel was asked for.
 *
 * Why one at a time: every job either writes the data directory (restore, demo seeding) or reads
 * it heavily and writes the backup directory (backup, verify). Running them in order means two jobs
 * never write the same files and a restore never swaps databases under a running backup. A restore
 * is refused outright, with a clear message, while another restore is queued or running.
 *
 * Lanes: a job whose spec names a `lane` runs in order with that lane's other jobs, beside the
 * main queue rather than in it. Pushes to an offsite target (one lane per target) only read a
 * finished backup file and talk to the network: a target crawling for an hour must not hold up the
 * next backup, nor another target.
 *
 * Downloads stream a fresh backup outside the queue, but hold a read lease: a writing job waits
 * for open leases to end, and a lease waits while a writing job runs.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import { LockerError, isLockerError } from '@evidence-locker/core';
import { isFinished, type JobKind, type JobProgress } from './job-schema.ts';
import type { JobError, JobResult, JobSnapshot, JobSnapshotOf } from './job-snapshot.ts';
import { clientDetails } from '../errors/error-mapping.ts';
import { refusalOf } from '../errors/server-refusal.ts';

export interface JobContext {
  /** Aborted when the job is cancelled or the server shuts down. */
  signal: AbortSignal;
  /** Tells watchers how far the job is; a plain function, so jobs may destructure it. */
  report: (progress: JobProgress) => void;
}

/** A job of kind `K`: what it does, and what it returns (that kind's result schema, job-snapshot.ts). */
export interface JobSpec<K extends JobKind> {
  kind: K;
  label: string;
  /** Whether the job writes the data directory (waits for read leases; refused next to a restore). */
  writesDataDir: boolean;
  /**
   * Run in order with the other jobs of this lane, beside the main queue (default: the main queue).
   * Only for jobs that neither write the data directory nor the backup directory.
   */
  lane?: string;
  run(context: JobContext): Promise<JobResult<K>>;
  /**
   * Whether the running job may still be cancelled once it reported `progress` (null before its
   * first report); default: always. A job past its point of no return says false, and cancel()
   * then leaves it running.
   */
  cancellable?: (progress: JobProgress | null) => boolean;
  /** Called with the result before watchers hear of success (e.g. audit logging). */
  onSuccess?: (result: JobResult<K>) => void;
  /** Called with the client-facing error and the original one (for the log). */
  onFailure?: (error: JobError, cause: unknown) => void;
}

interface Job {
  lane: string;
  snapshot: JobSnapshot;
  spec: JobSpec<JobKind>;
  controller: AbortController;
  /** A cancel was asked for (the job may take a moment to stop). */
  cancelRequested: boolean;
  done: Promise<void>;
  settle: () => void;
}

/** How many finished jobs stay visible to `get`/`list`. */
const FINISHED_KEPT = 50;
/** Progress events to watchers at most this often (the last one of a phase always goes out). */
const PROGRESS_INTERVAL_MS = 100;
/** The lane of jobs that name none. */
const MAIN_LANE = '';

interface Lane {
  queue: Job[];
  running: Job | undefined;
}

export class JobRunner {
  readonly #jobs = new Map<string, Job>();
  readonly #lanes = new Map<string, Lane>([[MAIN_LANE, { queue: [], running: undefined }]]);
  readonly #events = new EventEmitter();
  #leases = 0;
  #leaseWaiters: (() => void)[] = [];
  #writerWaiters: (() => void)[] = [];
  #closed = false;

  constructor() {
    this.#events.setMaxListeners(0);
  }

  /** Queues a job and returns its first snapshot. Throws BUSY for a second restore. */
  enqueue<K extends JobKind>(spec: JobSpec<K>): JobSnapshotOf<K> {
    if (this.#closed) throw new LockerError('BUSY', 'The server is shutting down; try again when it is back.');
    if (spec.writesDataDir && spec.lane !== undefined) throw new Error('A job that writes the data directory runs in the main queue.');
    if (spec.writesDataDir) {
      const active = this.#active().find((job) => job.spec.writesDataDir);
      if (active) {
        throw new LockerError(
          'BUSY',
          `A ${active.snapshot.kind === 'restore' ? 'restore' : 'job that changes the data'} is already in progress (${active.snapshot.label}); wait for it to finish.`,
        );
      }
    }
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const job: Job = {
      lane: spec.lane ?? MAIN_LANE,
      snapshot: {
        id: randomUUID(),
        kind: spec.kind,
        label: spec.label,
        state: 'queued',
        progress: null,
        cancellable: true,
        error: null,
        createdAt: new Date().toISOString(),
        startedAt: null,
        finishedAt: null,
      },
      spec: spec,
      controller: new AbortController(),
      cancelRequested: false,
      done,
      settle,
    };
    this.#jobs.set(job.snapshot.id, job);
    const lane = this.#lanes.get(job.lane) ?? { queue: [], running: undefined };
    this.#lanes.set(job.lane, lane);
    lane.queue.push(job);
    this.#emit(job);
    void this.#pump(job.lane);
    return { ...job.snapshot } as JobSnapshotOf<K>;
  }

  get(id: string): JobSnapshot | undefined {
    const job = this.#jobs.get(id);
    return job ? { ...job.snapshot } : undefined;
  }

  /** True once a cancel of job `id` was asked for (it is stopping, or stopped). */
  cancelRequested(id: string): boolean {
    return this.#jobs.get(id)?.cancelRequested ?? false;
  }

  /** All known jobs, newest first. */
  list(): JobSnapshot[] {
    return [...this.#jobs.values()].map((job) => ({ ...job.snapshot })).reverse();
  }

  /** True while any job is queued or running. */
  get busy(): boolean {
    return this.#active().length > 0;
  }

  /** Resolves when the job has finished (whatever its outcome). */
  async wait(id: string): Promise<JobSnapshot> {
    const job = this.#jobs.get(id);
    if (!job) throw new LockerError('INVALID_ARGUMENT', `No such job: ${id}`);
    await job.done;
    return { ...job.snapshot };
  }

  /**
   * Cancels a queued job at once, or asks a running one to stop (it ends `cancelled` once its
   * partial files are removed). A finished job, and a running one that is not `cancellable`, are
   * left as they are: the snapshot returned says which.
   */
  cancel(id: string): JobSnapshot | undefined {
    const job = this.#jobs.get(id);
    if (!job) return undefined;
    if (job.snapshot.state === 'queued') {
      const queue = this.#lanes.get(job.lane)?.queue ?? [];
      queue.splice(queue.indexOf(job), 1);
      this.#finish(job, 'cancelled', { code: 'CANCELLED', message: 'Cancelled before it started.', details: {} });
    } else if (job.snapshot.state === 'running' && job.snapshot.cancellable) {
      job.cancelRequested = true;
      job.snapshot = { ...job.snapshot, cancellable: false };
      this.#emit(job);
      job.controller.abort();
    }
    return { ...job.snapshot };
  }

  /**
   * Snapshots of job `id`: the current one at once, then one per change, ending after the final
   * state. Stops early when `signal` aborts (the client went away).
   */
  async *watch(id: string, signal?: AbortSignal): AsyncGenerator<JobSnapshot> {
    const job = this.#jobs.get(id);
    if (!job) throw new LockerError('INVALID_ARGUMENT', `No such job: ${id}`);
    // Subscribe before reading the current state, so no change falls in between.
    const changes = on(this.#events, id, signal ? { signal } : {});
    try {
      // Judge the snapshot that was sent, not the live one: a job that ends while the client is
      // still taking this event must still reach it with its final state (queued in `changes`).
      const current = { ...job.snapshot };
      yield current;
      if (isFinished(current.state)) return;
      for await (const [snapshot] of changes as AsyncIterable<[JobSnapshot]>) {
        yield snapshot;
        if (isFinished(snapshot.state)) return;
      }
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    } finally {
      await changes.return?.();
    }
  }

  /**
   * A read lease for work outside the queue that reads the data directory (a download). Waits
   * while a job that writes the data directory runs. Call the returned function when done.
   */
  async acquireReadLease(): Promise<() => void> {
    while (this.#lanes.get(MAIN_LANE)?.running?.spec.writesDataDir) {
      await new Promise<void>((resolve) => this.#leaseWaiters.push(resolve));
    }
    this.#leases += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#leases -= 1;
      if (this.#leases === 0) for (const wake of this.#writerWaiters.splice(0)) wake();
    };
  }

  /**
   * Stops taking jobs, cancels queued ones, aborts the running one and waits for it to end, then
   * waits for the read leases still held to be released: a download's ends when its connection
   * does (a shutdown cuts those, serve.ts), after its partial files are removed, so the process
   * does not exit under that clean-up.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const lane of this.#lanes.values()) {
      for (const job of lane.queue.splice(0)) {
        this.#finish(job, 'cancelled', { code: 'SERVER_SHUTDOWN', message: 'The server shut down before the job started.', details: {} });
      }
    }
    const running = [...this.#lanes.values()].flatMap((lane) => (lane.running ? [lane.running] : []));
    for (const job of running) job.controller.abort();
    await Promise.all(running.map((job) => job.done));
    while (this.#leases > 0) await new Promise<void>((resolve) => this.#writerWaiters.push(resolve));
  }

  /** Every queued and running job, of every lane. */
  #active(): Job[] {
    return [...this.#lanes.values()].flatMap((lane) => [...lane.queue, ...(lane.running ? [lane.running] : [])]);
  }

  async #pump(laneName: string): Promise<void> {
    const lane = this.#lanes.get(laneName);
    if (!lane || lane.running) return;
    const job = lane.queue.shift();
    if (!job) {
      if (laneName !== MAIN_LANE) this.#lanes.delete(laneName);
      return;
    }
    lane.running = job;
    try {
      if (job.spec.writesDataDir) {
        while (this.#leases > 0) await new Promise<void>((resolve) => this.#writerWaiters.push(resolve));
      }
      await this.#run(job);
    } finally {
      lane.running = undefined;
      for (const wake of this.#leaseWaiters.splice(0)) wake();
      void this.#pump(laneName);
    }
  }

  async #run(job: Job): Promise<void> {
    job.snapshot = { ...job.snapshot, state: 'running', startedAt: new Date().toISOString(), cancellable: this.#cancellable(job, null) };
    this.#emit(job);
    let lastProgress = 0;
    let lastPhase: string | undefined;
    const context: JobContext = {
      signal: job.controller.signal,
      report: (progress) => {
        const cancellable = this.#cancellable(job, progress);
        // Reported at once: a client must not offer Cancel a moment after the job passed its point of no return.
        const forced = cancellable !== job.snapshot.cancellable;
        job.snapshot = { ...job.snapshot, progress, cancellable };
        const now = Date.now();
        const complete = progress.bytesTotal !== undefined && progress.bytesDone >= progress.bytesTotal;
        if (forced || progress.phase !== lastPhase || complete || now - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = now;
          lastPhase = progress.phase;
          this.#emit(job);
        }
      },
    };
    try {
      const result = await job.spec.run(context);
      job.spec.onSuccess?.(result);
      this.#finish(job, 'succeeded', null, result);
    } catch (error) {
      let jobError = toJobError(error);
      if (jobError.code === 'CANCELLED' && this.#closed && !job.cancelRequested) {
        // Nobody cancelled it: the server stopped under it (its partial files are removed all the same).
        jobError = { code: 'SERVER_SHUTDOWN', message: 'The server shut down before the job finished.', details: {} };
      }
      job.spec.onFailure?.(jobError, error);
      this.#finish(job, jobError.code === 'CANCELLED' || jobError.code === 'SERVER_SHUTDOWN' ? 'cancelled' : 'failed', jobError);
    }
  }

  #cancellable(job: Job, progress: JobProgress | null): boolean {
    return !job.cancelRequested && (job.spec.cancellable?.(progress) ?? true);
  }

  #finish(job: Job, state: 'succeeded' | 'failed' | 'cancelled', error: JobError | null, result?: JobResult<JobKind>): void {
    // The result is the one the job's spec returned, of its own kind (JobSpec<K>).
    job.snapshot = {
      ...job.snapshot,
      state,
      cancellable: false,
      error,
      ...(result === undefined ? {} : { result }),
      finishedAt: new Date().toISOString(),
    } as JobSnapshot;
    this.#emit(job);
    job.settle();
    this.#forgetOldJobs();
  }

  #emit(job: Job): void {
    this.#events.emit(job.snapshot.id, { ...job.snapshot });
  }

  #forgetOldJobs(): void {
    const finished = [...this.#jobs.values()].filter((job) => isFinished(job.snapshot.state));
    for (const job of finished.slice(0, Math.max(0, finished.length - FINISHED_KEPT))) {
      this.#jobs.delete(job.snapshot.id);
    }
  }
}

/** The error a client sees: the engine's or the server's code and message; anything else stays in the log. */
export function toJobError(error: unknown): JobError {
  if (isLockerError(error)) return { code: error.code, message: error.message, details: clientDetails(error.details) };
  const refused = refusalOf(error);
  if (refused) return { code: refused.code, message: refused.message, details: refused.details };
  return { code: 'INTERNAL', message: 'The job failed unexpectedly; the server log has the details.', details: {} };
}
