/**
 * Reads a database without leaving a trace. Opening a WAL-flagged file read-only (DOCSight's
 * archived `docsis_history.db` is one) makes SQLite create `-wal` and `-shm` files that a
 * read-only connection cannot remove on close. This helper removes the sidecars that did not exist
 * before it opened the file and that hold nothing (an empty `-wal`), so an inspection leaves the
 * directory exactly as it found it. Sidecars that already existed belong to a writer and stay.
 */
import fs from 'node:fs';
import type { Database } from 'better-sqlite3';

const SIDECARS = ['-wal', '-shm'] as const;

/** Opens `path` read-only with `open`, runs `read`, closes, and removes sidecars it created. */
export function withReadonlyDatabase<T>(
  path: string,
  open: (path: string, options: { readonly: true }) => Database,
  read: (db: Database) => T,
): T {
  const existed = new Set(SIDECARS.filter((suffix) => fs.existsSync(path + suffix)));
  const db = open(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
    const wal = path + '-wal';
    const walEmpty = !fs.existsSync(wal) || fs.statSync(wal).size === 0;
    if (walEmpty) {
      for (const suffix of SIDECARS) {
        if (!existed.has(suffix)) fs.rmSync(path + suffix, { force: true });
      }
    }
  }
}
