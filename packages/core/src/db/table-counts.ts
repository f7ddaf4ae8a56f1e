/**
 * Row counts per table, as DOCSight's backup puts them in `backup_meta.json.tables`: every table in
 * `sqlite_master` whose name does not start with `sqlite_`, in creation order.
 */
import type { Database } from 'better-sqlite3';
import { quoteIdentifier } from './table-shape.ts';

/** Row count of one table plus, when it has an `is_demo` column, how many rows have `is_demo = 1`. */
export interface TableCount {
  readonly rows: number;
  /** Rows with `is_demo = 1`; null when the table has no `is_demo` column. */
  readonly isDemo: number | null;
}

/** Names of all non-internal tables in sqlite_master order (= creation order). */
export function userTableNames(db: Database): string[] {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND substr(name, 1, 7) <> 'sqlite_' ORDER BY rowid").all() as {
    name: string;
  }[];
  return rows.map((row) => row.name);
}

function count(db: Database, sql: string): number {
  return Number((db.prepare(sql).pluck().get() as number | bigint) ?? 0);
}

/** `{ table: COUNT(*) }` for every non-internal table, keys in creation order. */
export function countRows(db: Database): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const table of userTableNames(db)) {
    counts[table] = count(db, `SELECT COUNT(*) FROM ${quoteIdentifier(table)}`);
  }
  return counts;
}

/** Like `countRows`, with the `is_demo = 1` count of each table that has the flag. */
export function countRowsDetailed(db: Database): Record<string, TableCount> {
  const counts: Record<string, TableCount> = {};
  for (const table of userTableNames(db)) {
    const quoted = quoteIdentifier(table);
    const columns = db.prepare(`PRAGMA table_info(${quoted})`).all() as { name: string }[];
    const isDemo = columns.some((column) => column.name === 'is_demo')
      ? count(db, `SELECT COUNT(*) FROM ${quoted} WHERE is_demo = 1`)
      : null;
    counts[table] = { rows: count(db, `SELECT COUNT(*) FROM ${quoted}`), isDemo };
  }
  return counts;
}
