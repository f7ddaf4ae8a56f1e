/**
 * Turns better-sqlite3 errors into LockerErrors with a message a user can act on. Errors that are
 * not SQLite's (or already LockerErrors) pass through unchanged.
 */
import { LockerError } from '../errors.ts';

const NOT_A_DATABASE = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/** The LockerError for an SQLite failure on `path`, or `error` itself when it is not one. */
export function toLockerError(error: unknown, path: string): unknown {
  if (error instanceof LockerError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const details = { path, sqliteCode: code };
  if (NOT_A_DATABASE.has(code) || code.startsWith('SQLITE_CORRUPT')) {
    return new LockerError('DATABASE_CORRUPT', `${path} is not a readable SQLite database.`, { cause: error, details });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LockerError('BUSY', `${path} is locked by another process; try again when it is idle.`, { cause: error, details });
  }
  if (code === 'SQLITE_FULL') {
    return new LockerError('DISK_FULL', `The disk holding ${path} is full.`, { cause: error, details });
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_CANTOPEN')) {
    return new LockerError('PERMISSION_DENIED', `${path} cannot be opened for writing; check its permissions.`, { cause: error, details });
  }
  return error;
}
