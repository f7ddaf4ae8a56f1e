/**
 * Which tables carry DOCSight's `is_demo` flag. The constants are DOCSight's lists; the general
 * rule (a table is demo-flagged when it has an `is_demo` column) is `tablesWithIsDemo`, which also
 * covers community-module tables DOCSight's lists do not know.
 */
import type { Database } from 'better-sqlite3';
import { quoteIdentifier } from './table-shape.ts';
import { userTableNames } from './table-counts.ts';

/** `docsis_history.db` tables with `is_demo` (DOCSight's `_DEMO_TABLES`, in its order). */
export const HISTORY_DEMO_TABLES = [
  'snapshots',
  'events',
  'journal_entries',
  'incidents',
  'speedtest_results',
  'bqm_graphs',
  'bnetz_measurements',
  'weather_data',
] as const;

/** `connection_monitor.db` tables with `is_demo`; samples and hops cascade from these. */
export const CONNECTION_MONITOR_DEMO_TABLES = ['connection_targets', 'traceroute_traces'] as const;

/** Both databases' demo-flagged tables, keyed by file name. */
export const DEMO_TABLES = {
  'docsis_history.db': HISTORY_DEMO_TABLES,
  'connection_monitor.db': CONNECTION_MONITOR_DEMO_TABLES,
} as const;

/** True when `table` has an `is_demo` column (false for a missing table). */
export function hasIsDemoColumn(db: Database, table: string): boolean {
  const columns = db.prepare(`PRAGMA table_info(${quoteIdentifier(table)})`).all() as { name: string }[];
  return columns.some((column) => column.name === 'is_demo');
}

/** Every table of `db` that has an `is_demo` column, in creation (sqlite_master) order. */
export function tablesWithIsDemo(db: Database): string[] {
  return userTableNames(db).filter((table) => hasIsDemoColumn(db, table));
}
