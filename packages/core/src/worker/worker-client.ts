/**
 * A long-lived worker thread that answers requests one at a time, and the loop a worker entry runs
 * to answer them. Used for SQLite work that can take longer than a few milliseconds, so the event
 * loop keeps serving. The worker is started on first use (through startWorker, TypeScript or built
 * JS) and kept: a start costs about a second when the worker loads tsx. It is referenced only while
 * a request is pending, so it never keeps an idle process alive but a CLI waits for its answer.
 *
 * Protocol: the parent posts `{ id, request }`; the worker answers `{ id, ok: true, result }` or
 * `{ id, ok: false, error: { message, code, locker } }` (`locker`: it was a LockerError, whose code
 * survives the boundary; an Error's own properties do not survive a structured clone).
 */
import { parentPort, type Worker } from 'node:worker_threads';
import { LockerError } from '../errors.ts';
import { startWorker } from './start-worker.ts';

/** An error thrown inside the worker, as the parent receives it. */
export class WorkerRequestError extends Error {
  override readonly name = 'WorkerRequestError';
  constructor(
    message: string,
    /** The error's `code` (better-sqlite3's `SQLITE_…`, a LockerError code, an errno). */
    readonly code: string | undefined,
    /** True when it was a LockerError in the worker. */
    readonly locker: boolean,
  ) {
    super(message);
  }
}

type Reply = { id: number } & ({ ok: true; result: unknown } | { ok: false; error: { message: string; code?: string; locker: boolean } });

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class WorkerClient<TRequest, TResult> {
  readonly #entry: URL;
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  /** `entry`: URL of the worker module, which answers with {@link serveWorkerRequests}. */
  constructor(entry: URL) {
    this.#entry = entry;
  }

  /** Sends one request, starting the worker if needed. Errors reject as WorkerRequestError. */
  request(request: TRequest): Promise<TResult> {
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise<TResult>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve, reject });
      worker.ref();
      worker.postMessage({ id, request });
    });
  }

  /** Starts the worker now, unreferenced, so a request soon after does not wait for its start. */
  warm(): void {
    this.#start();
  }

  /** Stops the worker (a later request starts a new one); pending requests fail. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startWorker(this.#entry);
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new WorkerRequestError(reply.error.message, reply.error.code, reply.error.locker));
    });
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`Worker ${this.#entry.pathname} exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }
}

/** Inside a worker entry: answers each request with `handle`'s result or error (see above). */
export function serveWorkerRequests<TRequest>(handle: (request: TRequest) => unknown): void {
  parentPort?.on('message', ({ id, request }: { id: number; request: TRequest }) => {
    try {
      parentPort?.postMessage({ id, ok: true, result: handle(request) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
      parentPort?.postMessage({ id, ok: false, error: { message, code, locker: error instanceof LockerError } });
    }
  });
}
