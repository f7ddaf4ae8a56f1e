/**
 * Verification of a staged database before anything is published: SQLite's own
 * `PRAGMA integrity_check`, run in a worker thread because it reads the whole file.
 */
import { LockerError } from '../../errors.ts';
import { SqliteTaskError, runSqliteTask } from '../../db/run-sqlite-task.ts';

/**
 * Checks the staged copy of database `name` at `path`. A file SQLite cannot open or read →
 * DATABASE_CORRUPT `Restored database failed verification: <name> (<sqlite message>)`; any
 * integrity problem → DATABASE_CORRUPT `Restored database failed integrity check: <name>: <rows>`.
 */
export async function verifyStagedDatabase(name: string, path: string): Promise<void> {
  let rows: string[];
  try {
    rows = await runSqliteTask({ kind: 'integrity_check', path });
  } catch (error) {
    if (!(error instanceof SqliteTaskError)) throw error;
    throw new LockerError('DATABASE_CORRUPT', `Restored database failed verification: ${name} (${error.message})`, {
      cause: error,
      details: { name, sqliteCode: error.code },
    });
  }
  if (rows.length !== 1 || rows[0] !== 'ok') {
    throw new LockerError('DATABASE_CORRUPT', `Restored database failed integrity check: ${name}: ${rows.slice(0, 5).join('; ')}`, {
      details: { name, problems: rows.slice(0, 20) },
    });
  }
}
