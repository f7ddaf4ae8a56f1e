/**
 * Runs SQLite work (integrity checks of databases of several hundred MB) in a worker thread, so the
 * event loop keeps serving requests and progress.
 *
 * One worker per process, started on first use and kept (unreferenced while idle, so it never holds
 * the process open): tasks run one after another in it. A worker per task would pay the start-up
 * again each time, about a second when the worker has to load tsx.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../worker/start-worker.ts';
import { LockerError, type LockerErrorCode } from '../errors.ts';
import type { SqliteTask, SqliteTaskResult } from './sqlite-task.ts';

/** An error SQLite raised inside the worker; `code` is better-sqlite3's (`SQLITE_NOTADB`, …). */
export class SqliteTaskError extends Error {
  override readonly name = 'SqliteTaskError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

type WorkerReply = { id: number } & (
  | { ok: true; result: unknown }
  | { ok: false; error: { message: string; code?: string; locker: boolean } }
);

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

let shared: { worker: Worker; pending: Map<number, Pending> } | undefined;
let nextId = 1;

/**
 * Runs `task` in the SQLite worker thread. A LockerError thrown there rejects as a LockerError with
 * the same code; other SQLite errors reject as SqliteTaskError.
 */
export function runSqliteTask<T extends SqliteTask>(task: T): Promise<SqliteTaskResult<T>> {
  const { worker, pending } = sharedWorker();
  const id = nextId++;
  return new Promise<SqliteTaskResult<T>>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
    worker.ref();
    worker.postMessage({ id, task });
  });
}

/** Stops the SQLite worker (a later task starts a new one); for shutdown and tests. */
export async function stopSqliteWorker(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current !== undefined) await current.worker.terminate();
}

function sharedWorker(): { worker: Worker; pending: Map<number, Pending> } {
  if (shared !== undefined) return shared;
  const worker = startSqliteWorker();
  const pending = new Map<number, Pending>();
  const state = { worker, pending };
  const failAll = (error: Error): void => {
    if (shared === state) shared = undefined;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (reply: WorkerReply) => {
    const waiting = pending.get(reply.id);
    if (waiting === undefined) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.ok) waiting.resolve(reply.result);
    else if (reply.error.locker) waiting.reject(new LockerError(reply.error.code as LockerErrorCode, reply.error.message));
    else waiting.reject(new SqliteTaskError(reply.error.message, reply.error.code));
  });
  worker.on('error', failAll);
  worker.on('exit', (exitCode) => failAll(new Error(`SQLite worker exited with code ${exitCode}`)));
  worker.unref();
  shared = state;
  return state;
}

function startSqliteWorker(): Worker {
  return startWorker(new URL('./sqlite-task-worker.ts', import.meta.url));
}
