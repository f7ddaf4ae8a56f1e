/**
 * Worker-thread entry of DashboardCounter: for each `{ id, request }` it opens both databases
 * read-only (no migration, no journal change), counts, closes them again (so a restore can replace
 * the files between calls) and answers `{ id, ok: true, result }` or `{ id, ok: false, error }`.
 */
import fs from 'node:fs';
import { countRows, evidenceCounts, openHistoryDatabase, serveWorkerRequests, withReadonlyDatabase } from '@evidence-locker/core';
import type { DashboardCounts, DashboardCountsRequest } from './dashboard-counts.ts';

type Connection = ReturnType<typeof openHistoryDatabase>;

function withDatabase<T>(path: string, read: (db: Connection) => T): T | null {
  if (!fs.existsSync(path)) return null;
  // Read-only open: no migration, no journal-mode change (both databases share the opener).
  return withReadonlyDatabase(path, openHistoryDatabase, read);
}

function snapshotBound(db: Connection, order: 'ASC' | 'DESC'): string | null {
  // Two single-bound queries: SQLite answers each from idx_snapshots_ts in O(log n), while
  // min() and max() in one SELECT scan the index.
  const row = db.prepare(`SELECT timestamp FROM snapshots ORDER BY timestamp ${order} LIMIT 1`).pluck().get() as string | undefined;
  return row ?? null;
}

function snapshotsPerDay(db: Connection): Array<{ day: string; snapshots: number }> {
  // One pass over idx_snapshots_ts (a covering index: the table's JSON columns are never read);
  // DOCSight's timestamps are UTC text, so the first ten characters are the UTC day.
  return db
    .prepare(
      'SELECT substr(timestamp, 1, 10) AS day, COUNT(*) AS snapshots FROM snapshots INDEXED BY idx_snapshots_ts GROUP BY day ORDER BY day',
    )
    .all() as Array<{ day: string; snapshots: number }>;
}

function count(request: DashboardCountsRequest): DashboardCounts {
  const history = withDatabase(request.historyPath, (db) => {
    const tables = countRows(db);
    const hasSnapshots = Object.hasOwn(tables, 'snapshots');
    return {
      tables,
      firstSnapshot: hasSnapshots ? snapshotBound(db, 'ASC') : null,
      lastSnapshot: hasSnapshots ? snapshotBound(db, 'DESC') : null,
      snapshotsPerDay: hasSnapshots ? snapshotsPerDay(db) : [],
    };
  });
  const connectionMonitor = withDatabase(request.connectionMonitorPath, (db) => countRows(db));
  return {
    history: history ?? { tables: null, firstSnapshot: null, lastSnapshot: null, snapshotsPerDay: [] },
    connectionMonitor: { tables: connectionMonitor },
    evidence: evidenceCounts(history?.tables, connectionMonitor),
  };
}

serveWorkerRequests<DashboardCountsRequest>(count);
