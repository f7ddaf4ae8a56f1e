/**
 * Fills a fresh instance with DOCSight's demo data: the work of the `demo-seed` job that
 * `setup.startDemo` queues (DOCSight seeds on the demo collector's first poll; here it is a job
 * with progress).
 *
 * Core's seedDataDir is synchronous (about 7 s for 270 days) and refuses a directory that already
 * holds a database, so: release the instance's database handles, make sure the open, freshly
 * created databases hold no user rows (core's `holds_rows` task; anything else is refused, so
 * generated rows never mix with someone's data), delete those empty files, seed in a worker thread,
 * and reopen. The schedule is paused meanwhile. A failed or cancelled seed removes the half-written
 * databases, so the reopen creates empty ones again.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  CONNECTION_MONITOR_DB,
  DATABASE_FILES,
  HISTORY_DB,
  LOCKER_ERROR_CODES,
  LockerError,
  runSqliteTask,
  startWorker,
  type LockerErrorCode,
  type SeedProgress,
  type SeedSummary,
} from '@evidence-locker/core';
import { z } from 'zod';
import type { Instance } from '../instance/instance.ts';
import { withSchedulePaused, type SchedulePause } from '../restore/schedule-pause.ts';

/** What the worker gets (plain data). */
export interface DemoSeedWorkerData {
  dataDir: string;
  nowMs: number;
  historyDays?: number | undefined;
  connectionMonitorDays?: number | undefined;
}

/** Options of {@link seedDemoData}. */
export interface SeedDemoDataOptions {
  instance: Instance;
  schedule?: SchedulePause | undefined;
  signal?: AbortSignal;
  onProgress?: (progress: SeedProgress) => void;
  /** Shorter histories for tests (default: DOCSight's 270 days and 7 days of samples). */
  historyDays?: number;
  connectionMonitorDays?: number;
  /** The moment the data is seeded "at" (default now). */
  now?: Date;
}

/** The `demo-seed` job's result. */
export const DemoSeedResultSchema = z.object({
  historyDays: z.number().int().nonnegative(),
  /** The first and the last day of the seeded history. */
  from: z.string(),
  to: z.string(),
  /** Rows written, per database and table. */
  rows: z.object({
    [HISTORY_DB]: z.record(z.string(), z.number().int().nonnegative()),
    [CONNECTION_MONITOR_DB]: z.record(z.string(), z.number().int().nonnegative()),
  }) satisfies z.ZodType<SeedSummary['rows']>,
  seconds: z.number().nonnegative(),
});
export type DemoSeedResult = z.infer<typeof DemoSeedResultSchema>;

/** Seeds demo data into the running instance (see the file comment). */
export async function seedDemoData(options: SeedDemoDataOptions): Promise<DemoSeedResult> {
  const { instance } = options;
  const files = DATABASE_FILES.map((name) => path.join(instance.dataDir, name));
  return withSchedulePaused(options.schedule, async () => {
    instance.releaseDatabases();
    let seeding = false;
    try {
      for (const file of files) {
        if (existsSync(file) && (await runSqliteTask({ kind: 'holds_rows', path: file }))) {
          throw new LockerError(
            'INVALID_ARGUMENT',
            `${path.basename(file)} already holds data, so no demo data was added; demo data only goes into an empty instance.`,
            { details: { file: path.basename(file) } },
          );
        }
      }
      await removeDatabases(files);
      seeding = true;
      const summary = await runSeedWorker(
        {
          dataDir: instance.dataDir,
          nowMs: (options.now ?? new Date()).getTime(),
          historyDays: options.historyDays,
          connectionMonitorDays: options.connectionMonitorDays,
        },
        options.signal,
        options.onProgress,
      );
      return { historyDays: summary.historyDays, from: summary.from, to: summary.to, rows: summary.rows, seconds: summary.seconds };
    } catch (error) {
      // Only generated rows can be in these files now: never leave a half-seeded instance.
      if (seeding) await removeDatabases(files);
      throw error;
    } finally {
      await instance.reload();
    }
  });
}

async function removeDatabases(files: string[]): Promise<void> {
  for (const file of files) {
    for (const suffix of ['', '-wal', '-shm']) await rm(file + suffix, { force: true });
  }
}

type WorkerMessage =
  | { type: 'progress'; progress: SeedProgress }
  | { type: 'done'; summary: SeedSummary }
  | { type: 'error'; error: { message: string; code?: string } };

function runSeedWorker(
  data: DemoSeedWorkerData,
  signal: AbortSignal | undefined,
  onProgress: ((progress: SeedProgress) => void) | undefined,
): Promise<SeedSummary> {
  if (signal?.aborted) return Promise.reject(cancelled());
  return new Promise((resolve, reject) => {
    const worker = startWorker(new URL('./demo-seed-worker.ts', import.meta.url), { workerData: data });
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    let aborting = false;
    const onAbort = (): void => {
      // The seed runs synchronously in the worker: stopping it means ending the thread. The
      // promise settles on 'exit', once the thread no longer writes the files.
      aborting = true;
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onProgress?.(message.progress);
      else if (message.type === 'done') settle(() => resolve(message.summary));
      else settle(() => reject(workerError(message.error)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(aborting ? cancelled() : new Error(`The demo seed worker exited with code ${code}`))));
  });
}

function cancelled(): LockerError {
  return new LockerError('CANCELLED', 'Demo seeding was cancelled.');
}

function workerError(error: { message: string; code?: string }): Error {
  const code = error.code;
  if (code !== undefined && (LOCKER_ERROR_CODES as readonly string[]).includes(code)) {
    return new LockerError(code as LockerErrorCode, error.message);
  }
  return new Error(error.message);
}
