/**
 * Runs SQLite work (integrity checks of databases of several hundred MB) in a worker thread, so the
 * event loop keeps serving requests and progress.
 *
 * One worker per process, started on first use and kept (unreferenced while idle, so it never holds
 * the process open): tasks run one after another in it. A worker per task would pay the start-up
 * again each time, about a second when the worker has to load tsx.
 */
import { WorkerClient, WorkerRequestError } from '../worker/worker-client.ts';
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

const client = new WorkerClient<SqliteTask, unknown>(new URL('./sqlite-task-worker.ts', import.meta.url));

/**
 * Runs `task` in the SQLite worker thread. A LockerError thrown there rejects as a LockerError with
 * the same code; other SQLite errors reject as SqliteTaskError.
 */
export async function runSqliteTask<T extends SqliteTask>(task: T): Promise<SqliteTaskResult<T>> {
  try {
    return (await client.request(task)) as SqliteTaskResult<T>;
  } catch (error) {
    if (!(error instanceof WorkerRequestError)) throw error;
    if (error.locker) throw new LockerError(error.code as LockerErrorCode, error.message);
    throw new SqliteTaskError(error.message, error.code);
  }
}

/**
 * Starts the SQLite worker ahead of a task known to come (a restore's integrity check), so loading
 * it overlaps the archive read instead of delaying the check.
 */
export function warmSqliteWorker(): void {
  client.warm();
}

/** Stops the SQLite worker (a later task starts a new one); for shutdown and tests. */
export async function stopSqliteWorker(): Promise<void> {
  await client.close();
}
