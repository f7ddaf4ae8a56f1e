/**
 * The worker-thread half of archive/restore/live-database-lock.ts: SQLite connections that hold
 * the live databases of a data directory exclusively, and the file work done under that hold. Runs
 * inside the SQLite worker (sqlite-task.ts), whose thread keeps these connections between tasks. It
 * lives here, beside the worker, so the database layer never imports the restore: the restore's
 * LiveDatabaseLock calls down into it through runSqliteTask.
 *
 * How "another process has it open" is seen: in WAL mode (DOCSight's) every open connection holds a
 * shared lock on the database file for as long as it is open. A connection in
 * `locking_mode=EXCLUSIVE` whose `BEGIN EXCLUSIVE` is granted at once (busy timeout 0) therefore
 * proves that no other connection has the file open, and from then on keeps every other one out:
 * they wait for their busy timeout and then fail with SQLITE_BUSY, which their caller sees. A
 * database in rollback mode shows only connections that are inside a transaction.
 *
 * Held, each database is switched to rollback mode (`journal_mode=DELETE` checkpoints the whole
 * WAL into the file and removes it), so the file alone is the database and can be copied (freeze)
 * and overwritten in place (overwrite-database-in-place.ts) through one descriptor that stays open
 * until the connection is closed: closing any descriptor of the file earlier would drop this
 * process's locks on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILES, type DatabaseFileName } from '../data-dir-layout.ts';
import { LockerError } from '../errors.ts';
import { copyFileRange, overwriteDatabaseInPlace, poisonDatabaseHeader } from './overwrite-database-in-place.ts';

interface HeldDatabase {
  db: Database.Database;
  fd: number;
  path: string;
}

/** Held databases per data directory (resolved path), then per file name. */
const held = new Map<string, Map<DatabaseFileName, HeldDatabase>>();

/** SQLite's answers that mean "another connection has this file". */
const IN_USE_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);
/** Files that are no database SQLite can open: nobody can be using them as one. */
const NOT_A_DATABASE_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CANTOPEN']);

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function inUseError(dataDir: string, name: DatabaseFileName, cause: unknown): LockerError {
  return new LockerError(
    'DATABASE_IN_USE',
    `${name} is open in another process (DOCSight, or another app that uses ${dataDir}). Stop the app that uses it, then restore.`,
    { cause, details: { dataDir, file: name } },
  );
}

function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Takes every live database of `dataDir` exclusively; throws DATABASE_IN_USE, holding nothing,
 * when another connection has one open. Returns the names now held (a file SQLite cannot open as
 * a database is not held: nobody can be using it).
 */
export function lockLiveDatabases(dataDir: string): DatabaseFileName[] {
  const key = path.resolve(dataDir);
  if (held.has(key)) throw new LockerError('BUSY', `The databases of ${dataDir} are already held by this process.`);
  const taken = new Map<DatabaseFileName, HeldDatabase>();
  try {
    for (const name of DATABASE_FILES) {
      const file = path.join(key, name);
      if (!isRegularFile(file)) continue;
      const db = new Database(file, { fileMustExist: true, timeout: 0 });
      try {
        db.pragma('locking_mode = EXCLUSIVE');
        db.exec('BEGIN EXCLUSIVE');
        db.exec('COMMIT');
        db.pragma('journal_mode = DELETE');
        db.exec('BEGIN EXCLUSIVE');
      } catch (error) {
        db.close();
        const code = errorCode(error);
        if (code !== undefined && IN_USE_CODES.has(code)) throw inUseError(dataDir, name, error);
        if (code !== undefined && NOT_A_DATABASE_CODES.has(code)) continue;
        throw error;
      }
      taken.set(name, { db, fd: fs.openSync(file, 'r+'), path: file });
    }
  } catch (error) {
    closeAll(taken);
    throw error;
  }
  held.set(key, taken);
  return [...taken.keys()];
}

function heldDatabase(dataDir: string, name: DatabaseFileName): HeldDatabase {
  const database = held.get(path.resolve(dataDir))?.get(name);
  if (!database) throw new LockerError('INVALID_ARGUMENT', `${name} of ${dataDir} is not held.`);
  return database;
}

/** Copies each held database, as it is now, to `workDir/<name>`; returns the copies' paths. */
export function freezeLiveDatabases(dataDir: string, workDir: string): Partial<Record<DatabaseFileName, string>> {
  const copies: Partial<Record<DatabaseFileName, string>> = {};
  for (const [name, database] of held.get(path.resolve(dataDir)) ?? []) {
    const copyPath = path.join(workDir, name);
    const target = fs.openSync(copyPath, 'wx', 0o600);
    try {
      copyFileRange(database.fd, target, 0, fs.fstatSync(database.fd).size, database.path);
    } finally {
      fs.closeSync(target);
    }
    copies[name] = copyPath;
  }
  return copies;
}

/** Replaces the held database `name` with `stagedPath`, in place (overwrite-database-in-place.ts). */
export function overwriteLiveDatabase(dataDir: string, name: DatabaseFileName, stagedPath: string): void {
  const database = heldDatabase(dataDir, name);
  overwriteDatabaseInPlace(database.path, stagedPath, database.fd);
}

/**
 * Makes the held database `name` unusable before it is removed: a process that opened it a moment
 * ago and waits for the lock then fails with SQLITE_NOTADB instead of writing into a removed file.
 */
export function poisonLiveDatabase(dataDir: string, name: DatabaseFileName): void {
  poisonDatabaseHeader(heldDatabase(dataDir, name).fd);
}

/** Lets go of every database held for `dataDir`: connections first, then their descriptors. */
export function releaseLiveDatabases(dataDir: string): void {
  const key = path.resolve(dataDir);
  const databases = held.get(key);
  held.delete(key);
  if (databases) closeAll(databases);
}

function closeAll(databases: Map<DatabaseFileName, HeldDatabase>): void {
  for (const { db } of databases.values()) {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // The file may have been replaced underneath; closing is all that is left to do.
    }
    db.close();
  }
  for (const { fd } of databases.values()) fs.closeSync(fd);
}
