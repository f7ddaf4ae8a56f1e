/**
 * Inserts a stream of rows with one prepared statement, committing every `rowsPerTransaction`
 * rows. Each row is written as soon as it is generated, so it dies young: holding batches of
 * multi-kilobyte JSON strings made the garbage collector take half of the seeding time.
 */
import type { Database } from 'better-sqlite3';

/** Runs `write` for each row inside BEGIN/COMMIT blocks; returns the number of rows written. */
export function insertInTransactions<T>(
  db: Database,
  rows: Iterable<T>,
  write: (row: T) => void,
  rowsPerTransaction: number,
  onCommit?: (done: number) => void,
): number {
  let done = 0;
  db.exec('BEGIN');
  try {
    for (const row of rows) {
      write(row);
      done++;
      if (done % rowsPerTransaction === 0) {
        db.exec('COMMIT');
        onCommit?.(done);
        db.exec('BEGIN');
      }
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
  onCommit?.(done);
  return done;
}
