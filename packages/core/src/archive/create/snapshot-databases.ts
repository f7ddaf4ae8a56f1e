/**
 * The snapshot phase of a backup: every live database of the data dir is copied, filtered and
 * counted by snapshot-database.ts in a worker thread, into `workDir` under its own name. Progress
 * is the size of the copy being written (polled, since SQLite reports nothing while it runs)
 * against the size of the live files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runSnapshotWorker, type SnapshotRun } from './run-snapshot-worker.ts';

const SNAPSHOT_POLL_MS = 250;

export interface SnapshotDatabasesOptions {
  signal?: AbortSignal;
  /**
   * Bytes copied so far and the total expected; never decreases, ends with done = total. If it
   * throws, the copy stops and the error is rethrown.
   */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Let databases that need no changes be held instead of copied (holdDatabase); call `release()`. */
  hold?: boolean;
}

/** Copies each database (`sourcePath`) into `workDir/<name>` in a worker, reporting progress. */
export async function snapshotDatabases(
  workDir: string,
  databases: { name: string; sourcePath: string; size: number }[],
  options: SnapshotDatabasesOptions = {},
): Promise<SnapshotRun> {
  const bytesTotal = databases.reduce((sum, db) => sum + db.size, 0);
  let finishedBytes = 0;
  let current = -1;
  let reported = 0;
  // Reports also come from worker events and a timer, where a throwing callback would be an
  // uncaught exception; instead the first error stops the worker and becomes the result.
  const progressFailure: { failed: boolean; error?: unknown } = { failed: false };
  const stop = new AbortController();
  const report = (bytesDone: number): void => {
    const clamped = Math.min(bytesTotal, Math.max(reported, bytesDone));
    if ((clamped === reported && reported !== 0) || progressFailure.failed) return;
    reported = clamped;
    try {
      options.onProgress?.(clamped, bytesTotal);
    } catch (error) {
      progressFailure.failed = true;
      progressFailure.error = error;
      stop.abort();
    }
  };
  report(0);
  if (progressFailure.failed) throw progressFailure.error;
  const requests = databases.map((db) => ({
    sourcePath: db.sourcePath,
    copyPath: path.join(workDir, db.name),
    removeDemo: true,
  }));
  const timer = setInterval(() => {
    const request = requests[current];
    if (!request) return;
    fs.promises
      .stat(`${request.copyPath}.unfiltered`)
      .then((stats) => report(finishedBytes + Math.min(stats.size, databases[current]?.size ?? 0)))
      .catch(() => undefined);
  }, SNAPSHOT_POLL_MS);
  try {
    const run = await runSnapshotWorker(requests, {
      signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
      hold: options.hold ?? false,
      onStarted: (index) => {
        current = index;
      },
      onDone: (index) => {
        finishedBytes += databases[index]?.size ?? 0;
        report(finishedBytes);
      },
    });
    report(bytesTotal);
    if (progressFailure.failed) {
      await run.release();
      throw progressFailure.error;
    }
    return run;
  } catch (error) {
    throw progressFailure.failed && !options.signal?.aborted ? progressFailure.error : error;
  } finally {
    clearInterval(timer);
  }
}
