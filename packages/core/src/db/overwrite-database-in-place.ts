/**
 * Replaces the content of a live database file with a staged one, in place: the inode stays the
 * same, so every process that has the file open (or opened it a moment ago and waits for a lock)
 * reads the new content afterwards instead of writing on into a replaced, unlinked file.
 *
 * Order, so that a crash at any point leaves a file nobody can use by mistake:
 * 1. the header's read and write versions (bytes 18/19) are set to 0xff: SQLite refuses such a
 *    file with SQLITE_NOTADB, so a torn file is never read or written;
 * 2. the sidecars (`-wal`, `-shm`, `-journal`) go: they belong to the old content and must never be
 *    replayed into the new;
 * 3. everything after the 100-byte header is copied, the file cut to the staged size and synced;
 * 4. the staged header is written last and synced: only now is the file a database again.
 * Running it again after a crash redoes the same steps from the staged file, so it is idempotent
 * (archive/restore/restore-intent.ts rolls a committed restore forward with it).
 *
 * Synchronous, and it keeps one descriptor of the live file: the caller that holds SQLite locks on
 * that file in this process (archive/restore/live-database-lock.ts) passes its own descriptor,
 * because closing any descriptor of a file drops every POSIX lock the process holds on it.
 */
import fs from 'node:fs';

/**
 * Files SQLite keeps next to a database. A stale `-wal` or hot `-journal` left beside a replaced
 * database would be replayed into the new file, so they go before the new file takes the name.
 */
export const SQLITE_SIDECAR_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

const HEADER_BYTES = 100;
const COPY_CHUNK = 1024 * 1024;
/** Bytes 18/19 of the header: file format read and write versions. */
const VERSION_OFFSET = 18;
const POISONED_VERSIONS = Buffer.from([0xff, 0xff]);

/** Makes the database at `fd` unreadable to SQLite (step 1 above) and syncs it. */
export function poisonDatabaseHeader(fd: number): void {
  fs.writeSync(fd, POISONED_VERSIONS, 0, POISONED_VERSIONS.length, VERSION_OFFSET);
  fs.fdatasyncSync(fd);
}

/** Removes the SQLite sidecars of `livePath`, whichever exist. */
export function removeSqliteSidecarsSync(livePath: string): void {
  for (const suffix of SQLITE_SIDECAR_SUFFIXES) fs.rmSync(`${livePath}${suffix}`, { force: true });
}

/**
 * Copies bytes `start` to `end` of the file at descriptor `source` to the same offsets of `target`,
 * a MiB at a time; throws when `source` (named `sourceName` in the error) ends before `end`.
 */
export function copyFileRange(source: number, target: number, start: number, end: number, sourceName: string): void {
  const buffer = Buffer.allocUnsafe(COPY_CHUNK);
  for (let offset = start; offset < end;) {
    const read = fs.readSync(source, buffer, 0, Math.min(COPY_CHUNK, end - offset), offset);
    if (read === 0) throw new Error(`${sourceName} ended early`);
    fs.writeSync(target, buffer, 0, read, offset);
    offset += read;
  }
}

/**
 * Copies `stagedPath` over the live database at `livePath` (steps 1-4). `liveFd`: an open
 * read-write descriptor of `livePath` to write through (left open); without it one is opened and
 * closed here.
 */
export function overwriteDatabaseInPlace(livePath: string, stagedPath: string, liveFd?: number): void {
  const fd = liveFd ?? fs.openSync(livePath, 'r+');
  try {
    poisonDatabaseHeader(fd);
    removeSqliteSidecarsSync(livePath);
    const source = fs.openSync(stagedPath, 'r');
    try {
      const size = fs.fstatSync(source).size;
      copyFileRange(source, fd, HEADER_BYTES, size, stagedPath);
      fs.ftruncateSync(fd, size);
      fs.fdatasyncSync(fd);
      const header = Buffer.alloc(Math.min(HEADER_BYTES, size));
      fs.readSync(source, header, 0, header.length, 0);
      fs.writeSync(fd, header, 0, header.length, 0);
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(source);
    }
  } finally {
    if (liveFd === undefined) fs.closeSync(fd);
  }
}
