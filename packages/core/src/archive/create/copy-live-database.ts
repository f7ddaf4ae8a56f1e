/**
 * A plain file copy of a live WAL-mode database that is still a consistent snapshot, about twice as
 * fast as `VACUUM INTO` (0.8 s against 1.7 s for 1 GB) and without its CPU cost. It relies on how
 * SQLite guards the main file in WAL mode:
 *
 * 1. A second connection takes the write lock (`BEGIN IMMEDIATE`), so no frames can be added.
 * 2. A passive checkpoint copies every WAL frame into the main file; it must report all of them
 *    done (`log == checkpointed`), else a reader holds some back and this attempt is given up.
 * 3. A read transaction starts. Its snapshot is the main file as it now is: either it ignores the
 *    WAL (read mark 0), or its mark is the WAL's end and every frame up to it is in the main file.
 *    The write lock is released; writers go on appending to the WAL.
 * 4. While that transaction is open, no checkpoint may copy frames into the main file: backfilling
 *    needs the exclusive lock of read mark 0, or stops at the oldest reader's mark, and the WAL
 *    cannot be restarted under a reader with a mark. Changing the journal mode or a last-connection
 *    checkpoint needs an exclusive lock on the main file, which this connection's shared lock
 *    prevents. So the main file stays byte-for-byte the snapshot, and is copied.
 *
 * The file is copied by a `cp` child process, not by this process: closing any descriptor of a file
 * drops every POSIX lock this process holds on it (also those of SQLite's connections, here and in
 * other threads), which would void the guarantees above. Anything unexpected (not WAL, locks stay
 * busy, no `cp`, a short copy, the file replaced) returns another outcome than `copied`, and the
 * caller falls back to `VACUUM INTO`. The copy keeps the WAL flag in its header (bytes 18/19) and
 * the live file's free pages; snapshot-database.ts switches it to rollback mode and compacts it.
 *
 * Its SQLite work is synchronous (the pin, and `whilePinned` beside `cp`): call it from a worker
 * thread.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import Database from 'better-sqlite3';

/** How long taking the write lock waits for a writer to finish, per attempt. */
const WRITE_LOCK_BUSY_TIMEOUT_MS = 1000;
/**
 * Attempts before falling back to `VACUUM INTO`, and the pause between them. An attempt fails when
 * a reader keeps frames out of the main file, or the write lock stays taken.
 */
const ATTEMPTS = 5;
const RETRY_PAUSE_MS = 25;
/** Polls of the checkpoint while holding the write lock: at most 200 ms of held-up writers. */
const CHECKPOINT_POLLS = 40;
const CHECKPOINT_POLL_MS = 5;

/** Why the copy was not made (for logs and tests); `copied` when it was. */
export type LiveCopyOutcome = 'copied' | 'not-wal' | 'wal-busy' | 'copy-failed';

export interface CopyLiveDatabaseOptions {
  /** How long each attempt waits for the write lock. Default 1 s. */
  busyTimeoutMs?: number;
  /** gets the pid of `cp` as soon as it runs (a cancelled backup kills it). */
  onCopyProcess?: (pid: number) => void;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Takes a read transaction on `db` whose snapshot is exactly the main file (steps 1-3 of the file
 * comment). Returns false, with no transaction open, when other connections prevent it.
 */
function pinMainFile(db: Database.Database, gate: Database.Database): boolean {
  try {
    gate.exec('BEGIN IMMEDIATE');
  } catch {
    return false;
  }
  try {
    // Another connection's checkpoint may hold the checkpoint lock; with the write lock held it
    // has nothing new to do and soon lets go.
    for (let poll = 0; ; poll += 1) {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      if (result && result.busy === 0 && result.log === result.checkpointed) break;
      if (poll >= CHECKPOINT_POLLS) return false;
      sleep(CHECKPOINT_POLL_MS);
    }
    db.exec('BEGIN');
    // The first read starts the snapshot, while the write lock still keeps frames out.
    db.prepare('SELECT COUNT(*) FROM sqlite_master').pluck().get();
    return true;
  } finally {
    gate.exec('ROLLBACK');
  }
}

/** A read transaction on a live WAL database whose snapshot is exactly its main file. */
export interface PinnedDatabase {
  /** The connection holding the read transaction (read from it: same snapshot). */
  db: Database.Database;
  /** The main file's size, device and inode when the pin was taken. */
  size: number;
  dev: number;
  ino: number;
  /** Ends the read transaction and closes both connections. */
  release(): void;
}

/**
 * Pins the live database `sourcePath` (steps 1-3 of the file comment): `not-wal` for another
 * journal mode, `wal-busy` when other connections kept preventing it.
 */
export function pinLiveDatabase(sourcePath: string, options: CopyLiveDatabaseOptions = {}): PinnedDatabase | 'not-wal' | 'wal-busy' {
  const db = new Database(sourcePath, { fileMustExist: true });
  let gate: Database.Database | undefined;
  const close = (): void => {
    gate?.close();
    db.close();
  };
  try {
    db.pragma('cache_size = -2000');
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') {
      close();
      return 'not-wal';
    }
    gate = new Database(sourcePath, { fileMustExist: true });
    gate.pragma(`busy_timeout = ${options.busyTimeoutMs ?? WRITE_LOCK_BUSY_TIMEOUT_MS}`);
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      if (attempt > 0) sleep(RETRY_PAUSE_MS);
      if (!pinMainFile(db, gate)) continue;
      const stats = fs.statSync(sourcePath);
      return {
        db,
        size: stats.size,
        dev: stats.dev,
        ino: stats.ino,
        release: () => {
          db.exec('ROLLBACK');
          close();
        },
      };
    }
    close();
    return 'wal-busy';
  } catch (error) {
    close();
    throw error;
  }
}

/** The outcome of copyLiveDatabaseWhile, with what `whilePinned` returned when the copy was made. */
export type LiveCopyWhile<T> = { outcome: 'copied'; result: T } | { outcome: Exclude<LiveCopyOutcome, 'copied'> };

/**
 * Copies the live database `sourcePath` to `targetPath` (must not exist) as one consistent
 * snapshot, if it is in WAL mode and other connections let it (see the file comment); on any other
 * outcome `targetPath` does not exist afterwards. `cp` runs as a child process while `whilePinned` reads the pinned
 * snapshot (the same bytes the copy gets) on this thread, so a scan of the database costs no time
 * beside the copy. Resolves once `cp` has finished and the pin is released.
 */
export async function copyLiveDatabaseWhile<T>(
  sourcePath: string,
  targetPath: string,
  whilePinned: (db: Database.Database) => T,
  options: CopyLiveDatabaseOptions = {},
): Promise<LiveCopyWhile<T>> {
  const pin = pinLiveDatabase(sourcePath, options);
  if (typeof pin === 'string') return { outcome: pin };
  try {
    const child = spawn('cp', ['--', sourcePath, targetPath], { stdio: 'ignore' });
    if (child.pid !== undefined) options.onCopyProcess?.(child.pid);
    const exited = new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(null));
      child.once('close', (code) => resolve(code));
    });
    let result: T | undefined;
    let scanFailure: { error: unknown } | undefined;
    try {
      result = whilePinned(pin.db);
    } catch (error) {
      scanFailure = { error };
    }
    // Also after a failed scan: the copy must be over before the pin goes and the caller cleans up.
    const code = await exited;
    if (scanFailure || code !== 0 || !copyMatches(sourcePath, targetPath, pin)) {
      fs.rmSync(targetPath, { force: true });
      if (scanFailure) throw scanFailure.error;
      return { outcome: 'copy-failed' };
    }
    return { outcome: 'copied', result: result as T };
  } finally {
    pin.release();
  }
}

/** The same file as when pinned (not one renamed over it), copied in full. */
function copyMatches(sourcePath: string, targetPath: string, pin: PinnedDatabase): boolean {
  try {
    const after = fs.statSync(sourcePath);
    return after.ino === pin.ino && after.dev === pin.dev && after.size === pin.size && fs.statSync(targetPath).size === pin.size;
  } catch {
    return false;
  }
}
