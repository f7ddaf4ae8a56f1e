/**
 * Worker-thread entry for runSqliteTask: answers each `{ id, task }` message with
 * `{ id, ok: true, result }` or `{ id, ok: false, error }`, one task at a time. A LockerError keeps
 * its code across the boundary (`locker: true`).
 */
import { parentPort } from 'node:worker_threads';
import { LockerError } from '../errors.ts';
import { performSqliteTask, type SqliteTask } from './sqlite-task.ts';

parentPort?.on('message', ({ id, task }: { id: number; task: SqliteTask }) => {
  try {
    parentPort?.postMessage({ id, ok: true, result: performSqliteTask(task) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
    parentPort?.postMessage({ id, ok: false, error: { message, code, locker: error instanceof LockerError } });
  }
});
