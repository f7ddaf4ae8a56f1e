/**
 * What the harness checks on a database file, live or unpacked from an archive: SQLite's full
 * `PRAGMA integrity_check`, `PRAGMA foreign_key_check`, and the row count of every table. With the
 * writer's baseline it also counts the rows the writer added (ids above the baseline).
 */
import Database from 'better-sqlite3';
import { countRows } from '@evidence-locker/core';
import type { WriterBaseline } from './writer-process.ts';

export interface DatabaseCheck {
  /** `['ok']` for a sound file; otherwise SQLite's problem lines. */
  integrity: string[];
  /** Rows that break a foreign key. */
  foreignKeyViolations: number;
  /** Rows per table, in creation order. */
  counts: Record<string, number>;
  /** Rows the writer added, per table it writes (present when a baseline was given). */
  writerRows?: Record<string, number>;
}

const WRITER_TABLES: Record<string, Array<[table: string, baselineKey: keyof WriterBaseline]>> = {
  'docsis_history.db': [
    ['snapshots', 'snapshotsMaxId'],
    ['events', 'eventsMaxId'],
  ],
  'connection_monitor.db': [['connection_samples', 'samplesMaxId']],
};

/** Checks `file` (named `name` in the data directory). Opens it read-only; changes nothing. */
export function checkDatabase(name: string, file: string, baseline?: WriterBaseline): DatabaseCheck {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 30000');
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    const foreignKeyViolations = (db.pragma('foreign_key_check') as unknown[]).length;
    const check: DatabaseCheck = { integrity, foreignKeyViolations, counts: countRows(db) };
    if (baseline) {
      check.writerRows = {};
      for (const [table, key] of WRITER_TABLES[name] ?? []) {
        const above = baseline[key] as number;
        check.writerRows[table] = (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE id > ?`).get(above) as { n: number }).n;
      }
    }
    return check;
  } finally {
    db.close();
  }
}
