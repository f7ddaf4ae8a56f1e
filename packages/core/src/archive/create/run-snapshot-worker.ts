/**
 * Runs snapshot-database.ts for a list of databases in a worker thread, so the caller's event loop
 * stays free while SQLite copies a gigabyte. Cancelling terminates the worker and kills a `cp` it
 * started; a `VACUUM INTO` or scan already running finishes first (SQLite cannot be interrupted
 * from another thread here), and the promise settles only after the worker has exited, so the
 * caller can safely delete its files.
 */
import type { Worker } from 'node:worker_threads';
import { dirname } from 'node:path';
import { startWorker } from '../../worker/start-worker.ts';
import { formatMegabytes, freeBytes } from '../../fs/ensure-free-space.ts';
import { errnoCode, isDiskFullErrno, LockerError } from '../../errors.ts';
import type { DatabaseSnapshot, DatabaseSnapshotRequest } from './snapshot-database.ts';

export type SnapshotWorkerMessage =
  | { type: 'started'; index: number }
  | { type: 'copying'; pid: number }
  | { type: 'done'; index: number; snapshot: DatabaseSnapshot }
  | { type: 'failed'; message: string; code: string | undefined };

export interface RunSnapshotWorkerOptions {
  signal?: AbortSignal;
  /** Let a database that needs no changes be its own snapshot, held until `release()` (holdDatabase). */
  hold?: boolean;
  /** Called when the worker starts on request `index`. */
  onStarted?: (index: number) => void;
  /** Called with each finished snapshot, in request order. */
  onDone?: (index: number, snapshot: DatabaseSnapshot) => void;
}

/** The snapshots; `release()` lets go of held ones (resolves once the worker has exited). */
export interface SnapshotRun {
  snapshots: DatabaseSnapshot[];
  release(): Promise<void>;
  /** True when the worker ended before `release()`: held snapshots were let go too early. */
  lost(): boolean;
}

function spawnWorker(requests: DatabaseSnapshotRequest[], hold: boolean): Worker {
  return startWorker(new URL('./snapshot-worker.ts', import.meta.url), { workerData: { requests, hold } });
}

function toLockerError(message: string, code: string | undefined): Error {
  const details = { sqliteCode: code };
  if (code?.startsWith('SQLITE_FULL') || isDiskFullErrno(code)) {
    return new LockerError('DISK_FULL', `The disk filled up while the databases were copied: ${message}`, { details });
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

/**
 * SQLite reports a write that hit a full disk as a plain "disk I/O error" (SQLITE_IOERR_WRITE and
 * kin) more often than as SQLITE_FULL. When the copies' disk has (next to) nothing left, that is
 * what happened, and the user is told so.
 */
async function explainIoError(failure: Error, requests: DatabaseSnapshotRequest[]): Promise<Error> {
  const code = errnoCode(failure);
  const workDir = requests[0] === undefined ? undefined : dirname(requests[0].copyPath);
  if (!code?.startsWith('SQLITE_IOERR') || workDir === undefined) return failure;
  const available = await freeBytes(workDir).catch(() => undefined);
  if (available === undefined || available >= FULL_DISK_BYTES) return failure;
  return new LockerError(
    'DISK_FULL',
    `The disk filled up while the databases were copied into ${dirname(workDir)} (${formatMegabytes(available, 'down')} free); nothing was changed. Free up space there and try again.`,
    { cause: failure, details: { dir: dirname(workDir), available, sqliteCode: code } },
  );
}

/** Below this much free space, a disk I/O error while copying counts as a full disk. */
const FULL_DISK_BYTES = 1024 * 1024;

/**
 * Snapshots each database in order in one worker thread; resolves with the snapshots once the
 * worker has exited, or, when some are held, once all are there (the worker exits on `release()`).
 */
export function runSnapshotWorker(requests: DatabaseSnapshotRequest[], options: RunSnapshotWorkerOptions = {}): Promise<SnapshotRun> {
  const { signal } = options;
  const released = async (): Promise<void> => undefined;
  const never = (): boolean => false;
  if (signal?.aborted) return Promise.reject(new LockerError('CANCELLED', 'The backup was cancelled.'));
  if (requests.length === 0) return Promise.resolve({ snapshots: [], release: released, lost: never });
  return new Promise((resolve, reject) => {
    const snapshots: DatabaseSnapshot[] = [];
    let failure: Error | undefined;
    const worker = spawnWorker(requests, options.hold ?? false);
    let holding = false;
    let releasing = false;
    let lost = false;
    let exited: () => void = () => undefined;
    const exit = new Promise<void>((resolveExit) => {
      exited = resolveExit;
    });
    let copyProcess: number | undefined;
    const killCopy = (): void => {
      if (copyProcess === undefined) return;
      try {
        process.kill(copyProcess, 'SIGKILL');
      } catch {
        // already gone
      }
      copyProcess = undefined;
    };
    const onAbort = (): void => {
      failure ??= new LockerError('CANCELLED', 'The backup was cancelled.');
      killCopy();
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: SnapshotWorkerMessage) => {
      if (message.type === 'started') {
        copyProcess = undefined; // the previous database's cp has been waited for
        options.onStarted?.(message.index);
      } else if (message.type === 'copying') copyProcess = message.pid;
      else if (message.type === 'done') {
        copyProcess = undefined;
        snapshots[message.index] = message.snapshot;
        options.onDone?.(message.index, message.snapshot);
        const all = snapshots.filter(Boolean).length === requests.length;
        if (all && snapshots.some((snapshot) => snapshot.held)) {
          holding = true;
          resolve({
            snapshots,
            release: () => {
              releasing = true;
              worker.postMessage({ type: 'release' });
              return exit;
            },
            lost: () => lost,
          });
        }
      } else failure ??= toLockerError(message.message, message.code);
    });
    worker.on('error', (error) => {
      failure ??= toLockerError(error.message, errnoCode(error));
    });
    worker.on('exit', (exitCode) => {
      signal?.removeEventListener('abort', onAbort);
      exited();
      // Held snapshots were handed over already; whatever ends the worker now ends the pins.
      if (holding) {
        lost = !releasing;
        return;
      }
      if (failure) killCopy();
      if (failure) void explainIoError(failure, requests).then(reject);
      else if (exitCode !== 0 || snapshots.length !== requests.length) {
        reject(new Error(`Database snapshot worker exited with code ${exitCode}`));
      } else resolve({ snapshots, release: released, lost: never });
    });
  });
}
