/**
 * Holding a data directory's live databases while a restore replaces them, so that no write
 * another process was told succeeded is ever silently lost.
 *
 * The failure it prevents: a restore that swaps the files by rename leaves every process that
 * keeps a connection open writing on into the old, unlinked file, and a process that opened the
 * file a moment before the rename does the same once it gets its lock. Its writes are
 * acknowledged and gone.
 *
 * The design, and why:
 * - Once the archive is staged and verified, and before anything live changes, `LiveDatabaseLock`
 *   takes every live database exclusively. That is granted only when no other connection has the
 *   file open (db/live-database-lock-task.ts explains how SQLite's locks tell); otherwise the restore
 *   is refused with DATABASE_IN_USE, naming the file: stop the app that uses it, then restore.
 * - From then (before the pre-restore backup) until the new content is in place, the hold keeps
 *   every other connection out. A process that opens a database meanwhile waits for its busy
 *   timeout and then gets SQLITE_BUSY: an error it sees, never a silent loss. The pre-restore
 *   backup is made from a frozen copy taken under the hold, so every write acknowledged before
 *   the hold is in it.
 * - The restored content is then written into the live files in place (same inode; header last,
 *   see db/overwrite-database-in-place.ts), not renamed over them. A rename cannot be made safe while
 *   someone may hold the old file: a connection that opened it before the rename keeps writing to
 *   the old inode after the hold ends, and in WAL mode it would even pick up the new file's `-wal`
 *   and `-shm` by name and corrupt the new database. Written in place, whoever waited reads the
 *   new content when the hold ends, and writes into it. A database the archive drops is poisoned
 *   (SQLITE_NOTADB) before it is removed, so a waiter gets an error there too.
 * SQLite's online backup API would also write in place, but better-sqlite3 opens its own target
 * connection, which the hold would block; and releasing the hold first reopens the window.
 *
 * The cost: one extra copy of each database (the frozen copy), and the overwrite instead of a
 * rename. The locks live in the SQLite worker thread of this process (db/run-sqlite-task.ts), which
 * keeps the connections between tasks.
 */
import type { DatabaseFileName } from '../../data-dir-layout.ts';
import { runSqliteTask } from '../../db/run-sqlite-task.ts';

/** The live databases of one data directory, held exclusively until `release`. */
export class LiveDatabaseLock {
  private released = false;

  private constructor(
    readonly dataDir: string,
    /** The databases held (those that exist and are SQLite databases). */
    readonly held: readonly DatabaseFileName[],
  ) {}

  /** Takes every live database of `dataDir`; throws DATABASE_IN_USE, holding nothing, if one is open elsewhere. */
  static async acquire(dataDir: string): Promise<LiveDatabaseLock> {
    const held = await runSqliteTask({ kind: 'lock_live', dataDir });
    return new LiveDatabaseLock(dataDir, held);
  }

  holds(name: DatabaseFileName): boolean {
    return !this.released && this.held.includes(name);
  }

  /** Copies each held database, complete and quiet, into `workDir`; returns the copies' paths. */
  freeze(workDir: string): Promise<Partial<Record<DatabaseFileName, string>>> {
    return runSqliteTask({ kind: 'freeze_live', dataDir: this.dataDir, workDir });
  }

  /** Writes `stagedPath` into the held database `name`, in place. */
  async overwrite(name: DatabaseFileName, stagedPath: string): Promise<void> {
    await runSqliteTask({ kind: 'overwrite_live', dataDir: this.dataDir, name, stagedPath });
  }

  /** Makes the held database `name` fail for everyone before it is removed. */
  async poison(name: DatabaseFileName): Promise<void> {
    await runSqliteTask({ kind: 'poison_live', dataDir: this.dataDir, name });
  }

  /** Lets go; safe to call more than once. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await runSqliteTask({ kind: 'release_live', dataDir: this.dataDir });
  }
}
