/**
 * Runs snapshot-database.ts for a list of databases in a worker thread, so the caller's event loop
 * stays free while SQLite copies a gigabyte. Cancelling terminates the worker; a `VACUUM INTO`
 * already running finishes first (SQLite cannot be interrupted from another thread here), and the
 * promise settles only after the worker has exited, so the caller can safely delete its files.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../worker/start-worker.ts';
import { errnoCode, LockerError } from '../errors.ts';
import type { DatabaseSnapshot, DatabaseSnapshotRequest } from './snapshot-database.ts';

export type SnapshotWorkerMessage =
  | { type: 'started'; index: number }
  | { type: 'done'; index: number; snapshot: DatabaseSnapshot }
  | { type: 'failed'; message: string; code: string | undefined };

export interface RunSnapshotWorkerOptions {
  signal?: AbortSignal;
  /** Called when the worker starts on request `index`. */
  onStarted?: (index: number) => void;
  /** Called with each finished snapshot, in request order. */
  onDone?: (index: number, snapshot: DatabaseSnapshot) => void;
}

function spawnWorker(requests: DatabaseSnapshotRequest[]): Worker {
  return startWorker(new URL('./snapshot-worker.ts', import.meta.url), { workerData: { requests } });
}

function toLockerError(message: string, code: string | undefined): Error {
  const details = { sqliteCode: code };
  if (code?.startsWith('SQLITE_FULL') || code === 'ENOSPC') {
    return new LockerError('DISK_FULL', `Not enough disk space to copy the database: ${message}`, { details });
  }
  if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
    return new LockerError('BUSY', `The database stayed locked by another writer: ${message}`, { details });
  }
  if (code?.startsWith('SQLITE_CORRUPT') || code?.startsWith('SQLITE_NOTADB')) {
    return new LockerError('DATABASE_CORRUPT', `The live database is damaged and cannot be copied: ${message}`, {
      details,
    });
  }
  return Object.assign(new Error(`Database snapshot failed: ${message}`), { code });
}

/** Snapshots each database in order in one worker thread; resolves with the snapshots. */
export function runSnapshotWorker(
  requests: DatabaseSnapshotRequest[],
  options: RunSnapshotWorkerOptions = {},
): Promise<DatabaseSnapshot[]> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new LockerError('CANCELLED', 'The backup was cancelled.'));
  if (requests.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const snapshots: DatabaseSnapshot[] = [];
    let failure: Error | undefined;
    const worker = spawnWorker(requests);
    const onAbort = (): void => {
      failure ??= new LockerError('CANCELLED', 'The backup was cancelled.');
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: SnapshotWorkerMessage) => {
      if (message.type === 'started') options.onStarted?.(message.index);
      else if (message.type === 'done') {
        snapshots[message.index] = message.snapshot;
        options.onDone?.(message.index, message.snapshot);
      } else failure ??= toLockerError(message.message, message.code);
    });
    worker.on('error', (error) => {
      failure ??= toLockerError(error.message, errnoCode(error));
    });
    worker.on('exit', (exitCode) => {
      signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else if (exitCode !== 0 || snapshots.length !== requests.length) {
        reject(new Error(`Database snapshot worker exited with code ${exitCode}`));
      } else resolve(snapshots);
    });
  });
}
