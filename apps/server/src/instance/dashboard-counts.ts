/**
 * What the dashboard reports about the two databases: row counts per table, the evidence they
 * hold by kind, the history's date range and its snapshots per day. Read in a worker thread (core's WorkerClient): on a demo instance (25,920 snapshots,
 * 181,440 Connection Monitor samples) the counts took 0.7 ms warm but 26 ms with a cold cache, and
 * slow disks (SD cards, NAS) take far longer; kept while the files are unchanged (see below).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { EvidenceCountsSchema, WorkerClient } from '@evidence-locker/core';

export const DatabaseCountsSchema = z.object({
  /** Rows per table, in creation order; null when the file does not exist. */
  tables: z.record(z.string(), z.number()).nullable(),
});

export const DashboardCountsSchema = z.object({
  history: DatabaseCountsSchema.extend({
    /** Oldest and newest `snapshots.timestamp` (DOCSight's UTC text); null without snapshots. */
    firstSnapshot: z.string().nullable(),
    lastSnapshot: z.string().nullable(),
    /**
     * Snapshots per UTC day (`YYYY-MM-DD`), oldest first, days without any left out: the chart
     * fills them in, so gaps in the collection show. Empty without snapshots.
     */
    snapshotsPerDay: z.array(z.object({ day: z.string(), snapshots: z.number().int().nonnegative() })),
  }),
  connectionMonitor: DatabaseCountsSchema,
  /** The same rows in a person's words (core's evidenceCounts). */
  evidence: EvidenceCountsSchema,
});
export type DashboardCounts = z.infer<typeof DashboardCountsSchema>;

/** Paths of the databases to read; passed to the worker as plain data. */
export interface DashboardCountsRequest {
  historyPath: string;
  connectionMonitorPath: string;
}

/**
 * Counts rows of both databases in a worker thread that stays up between calls.
 *
 * A count of a 1 GB history takes about 19 ms of the worker, so 50 clients polling the dashboard
 * would queue behind one another (measured: 53 answers/s). The counts change only when a database
 * file does, so the last finished count is kept with the identity, size and mtime of both
 * databases and the size and header of their `-wal` files (any commit, restore or replacement
 * changes one of them), and given again while they are unchanged. A count still running is not
 * shared: one that waits on a lock (demo seeding replaces the files) must not hold up callers that
 * come after the lock is gone.
 */
export class DashboardCounter {
  readonly #client = new WorkerClient<DashboardCountsRequest, DashboardCounts>(new URL('./dashboard-counts-worker.ts', import.meta.url));
  #last: { stamp: string; counts: DashboardCounts } | undefined;

  /** Counts the databases at these paths (missing files give null tables). */
  async read(request: DashboardCountsRequest): Promise<DashboardCounts> {
    const stamp = await filesStamp(request);
    if (this.#last?.stamp === stamp) return this.#last.counts;
    const counts = await this.#client.request(request);
    this.#last = { stamp, counts };
    return counts;
  }

  /** Stops the worker. */
  close(): Promise<void> {
    this.#last = undefined;
    return this.#client.close();
  }
}

/**
 * Both databases' identity, size and mtime, and of their WAL files the size and the 32-byte header,
 * as one string. A WAL only grows until it is reset, and a reset writes a new header (checkpoint
 * sequence and salts), so header and size change with every commit. Its mtime is left out: SQLite
 * touches it when a reader merely opens the database.
 */
async function filesStamp(request: DashboardCountsRequest): Promise<string> {
  const parts: string[] = [];
  for (const database of [request.historyPath, request.connectionMonitorPath]) {
    const stats = await stat(database, { bigint: true }).catch(() => undefined);
    parts.push(stats ? `${database}:${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}` : `${database}:-`);
    parts.push(await walStamp(`${database}-wal`));
  }
  return parts.join('|');
}

async function walStamp(wal: string): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(wal, 'r');
  } catch {
    return `${wal}:-`;
  }
  try {
    const header = Buffer.alloc(32);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    const { size, ino } = await handle.stat({ bigint: true });
    return `${wal}:${ino}:${size}:${header.subarray(0, bytesRead).toString('hex')}`;
  } finally {
    await handle.close();
  }
}
