/**
 * What the dashboard reports about the two databases: row counts per table and the history's date
 * range. Read in a worker thread (core's WorkerClient): on a demo instance (25,920 snapshots,
 * 181,440 Connection Monitor samples) the counts took 0.7 ms warm but 26 ms with a cold cache, and
 * slow disks (SD cards, NAS) take far longer.
 */
import { z } from 'zod';
import { WorkerClient } from '@evidence-locker/core';

export const DatabaseCountsSchema = z.object({
  /** Rows per table, in creation order; null when the file does not exist. */
  tables: z.record(z.string(), z.number()).nullable(),
});

export const DashboardCountsSchema = z.object({
  history: DatabaseCountsSchema.extend({
    /** Oldest and newest `snapshots.timestamp` (DOCSight's UTC text); null without snapshots. */
    firstSnapshot: z.string().nullable(),
    lastSnapshot: z.string().nullable(),
  }),
  connectionMonitor: DatabaseCountsSchema,
});
export type DashboardCounts = z.infer<typeof DashboardCountsSchema>;

/** Paths of the databases to read; passed to the worker as plain data. */
export interface DashboardCountsRequest {
  historyPath: string;
  connectionMonitorPath: string;
}

/** Counts rows of both databases in a worker thread that stays up between calls. */
export class DashboardCounter {
  readonly #client = new WorkerClient<DashboardCountsRequest, DashboardCounts>(
    new URL('./dashboard-counts-worker.ts', import.meta.url),
  );

  /** Counts the databases at these paths (missing files give null tables). */
  read(request: DashboardCountsRequest): Promise<DashboardCounts> {
    return this.#client.request(request);
  }

  /** Stops the worker. */
  close(): Promise<void> {
    return this.#client.close();
  }
}
