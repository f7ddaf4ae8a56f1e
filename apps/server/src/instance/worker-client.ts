/**
 * A long-lived worker thread that answers requests one message at a time. Used for SQLite reads
 * that can take longer than a few milliseconds (a cold page cache on a 250 MB database), so the
 * event loop keeps serving requests. Started on first use and reused: starting a worker that loads
 * TypeScript through tsx costs about a second, far more than the work itself.
 * Started through core's startWorker (TypeScript or built JS). The worker is unref'd: it never
 * keeps the process alive.
 *
 * Protocol: the parent posts `{ id, request }`; the worker answers `{ id, ok: true, result }` or
 * `{ id, ok: false, error: { message, code } }`.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '@evidence-locker/core';

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { message: string; code?: string } };
interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class WorkerClient<TRequest, TResult> {
  readonly #entry: URL;
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  /** `entry`: URL of the worker module (see the protocol in the file comment). */
  constructor(entry: URL) {
    this.#entry = entry;
  }

  /** Sends one request, starting the worker if needed. */
  request(request: TRequest): Promise<TResult> {
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise<TResult>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, request });
    });
  }

  /** Stops the worker; pending requests fail. */
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
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
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
