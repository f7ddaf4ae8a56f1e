/**
 * Opens DOCSight's databases the way DOCSight's `write_transaction` connections do: WAL journal,
 * `busy_timeout=30000`, `foreign_keys=ON`; creating the file when missing and running DOCSight's
 * migrations so the schema is current. `readonly` opens an existing file as it is: no migration,
 * no creation, and no journal-mode change (so a rollback-journal file gets no -wal/-shm files).
 */
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { LockerError } from '../errors.ts';
import { migrateConnectionMonitorDatabase, migrateHistoryDatabase } from './migrations.ts';
import { recordUtcMigrated } from './utc-migrated-marker.ts';
import { toLockerError } from './sqlite-error.ts';

/** DOCSight's `DEFAULT_SQLITE_BUSY_TIMEOUT_MS`. */
export const BUSY_TIMEOUT_MS = 30_000;

/** Options for opening a DOCSight database. */
export interface OpenDatabaseOptions {
  /** Open an existing file read-only, without migrating or creating it (default false). */
  readonly readonly?: boolean;
  /** `PRAGMA busy_timeout` in ms (default 30000, DOCSight's value). */
  readonly busyTimeoutMs?: number;
  /** Source of `_docsight_migrations.applied_at` values (default: now, Python `isoformat()`). */
  readonly now?: () => string;
}

/** Options for `openHistoryDatabase`. */
export interface OpenHistoryDatabaseOptions extends OpenDatabaseOptions {
  /**
   * When set, record `_docsight_meta.tz_migrated` with this IANA timezone if it is absent, so
   * DOCSight does not convert the (already UTC) timestamps again. Default: not recorded.
   */
  readonly utcMigratedTimezone?: string;
}

function openConnection(path: string, options: OpenDatabaseOptions): Database {
  const readonly = options.readonly ?? false;
  if (readonly && !fs.existsSync(path)) {
    throw new LockerError('DATABASE_MISSING', `${path} does not exist.`, { details: { path } });
  }
  let db: Database | undefined;
  try {
    db = new BetterSqlite3(path, { readonly, fileMustExist: readonly });
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? BUSY_TIMEOUT_MS))}`);
    db.pragma('foreign_keys = ON');
    // Also the first read of the file: a non-database fails here, before anything is written.
    if (!readonly) db.pragma('journal_mode = WAL');
    else db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (error) {
    db?.close();
    throw toLockerError(error, path);
  }
}

function migrated(db: Database, path: string, migrate: (db: Database) => void): Database {
  try {
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw toLockerError(error, path);
  }
}

/**
 * Opens (creating if missing) a `docsis_history.db` and brings it to DOCSight's current schema.
 * With `readonly: true` the file must exist and is left exactly as it is.
 */
export function openHistoryDatabase(path: string, options: OpenHistoryDatabaseOptions = {}): Database {
  const db = openConnection(path, options);
  if (options.readonly) return db;
  return migrated(db, path, (connection) => {
    migrateHistoryDatabase(connection, options.now);
    if (options.utcMigratedTimezone !== undefined) recordUtcMigrated(connection, options.utcMigratedTimezone);
  });
}

/**
 * Opens (creating if missing) a `connection_monitor.db` and brings it to DOCSight's current schema.
 * With `readonly: true` the file must exist and is left exactly as it is.
 */
export function openConnectionMonitorDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  const db = openConnection(path, options);
  if (options.readonly) return db;
  return migrated(db, path, (connection) => migrateConnectionMonitorDatabase(connection, options.now));
}
