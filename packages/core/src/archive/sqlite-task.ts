/**
 * The SQLite jobs that run off the event loop thread (see run-sqlite-task.ts), as plain data that
 * can cross a worker boundary, and the code that performs them inside the worker.
 */
import Database from 'better-sqlite3';
import { openConnectionMonitorDatabase, openHistoryDatabase } from '../db/open-database.ts';

/** A job for the SQLite worker. */
export type SqliteTask =
  | { kind: 'integrity_check'; path: string }
  | { kind: 'migrate'; database: 'history' | 'connection_monitor'; path: string };

/** The result of each task kind. */
export interface SqliteTaskResults {
  /** The rows of `PRAGMA integrity_check`: exactly `['ok']` for a sound database. */
  integrity_check: string[];
  /** Nothing: the database was opened with DOCSight's migrations and closed again. */
  migrate: null;
}

export type SqliteTaskResult<T extends SqliteTask> = SqliteTaskResults[T['kind']];

/** Performs `task` synchronously; called inside the worker thread only. */
export function performSqliteTask(task: SqliteTask): SqliteTaskResults[SqliteTask['kind']] {
  switch (task.kind) {
    case 'integrity_check': {
      // Read-only, so checking never writes to the file (and a rollback-mode file gets no journal).
      const db = new Database(task.path, { readonly: true, fileMustExist: true });
      try {
        const rows = db.pragma('integrity_check') as { integrity_check: string }[];
        return rows.map((row) => row.integrity_check);
      } finally {
        db.close();
      }
    }
    case 'migrate': {
      const open = task.database === 'history' ? openHistoryDatabase : openConnectionMonitorDatabase;
      open(task.path).close();
      return null;
    }
  }
}
