/**
 * A consistent, demo-free, rollback-journal copy of one live DOCSight database.
 *
 * 1. A snapshot copy of the live file, made while DOCSight keeps writing: for a WAL database (as
 *    DOCSight's are) a plain file copy taken under a read transaction (copy-live-database.ts),
 *    while the same snapshot is checked for demo rows and its rows counted beside `cp`;
 *    otherwise, or when that is not possible right now, `VACUUM INTO` on a connection to the live
 *    file (one read transaction, so one moment; in rollback mode writers wait, up to their busy
 *    timeout, for it to finish). The online backup API was not used: it restarts whenever another
 *    connection writes, so it may never finish under a busy writer.
 * 2. The copy is switched to `journal_mode=DELETE` (header bytes 18/19 = 1), never WAL, so
 *    opening it anywhere later creates no `-wal`/`-shm` files.
 * 3. Demo rows are removed (snapshot-demo-filter.ts; skipped when the pinned snapshot had none).
 *    If any were, or the copy has more than 1 % free pages (a file copy keeps the live file's), it
 *    is compacted with a second `VACUUM INTO` (cheaper than an in-place VACUUM, which writes every
 *    page twice) so the archive carries no dead pages.
 * 4. Rows are counted per table, in creation order: on the final copy, unless no rows were
 *    removed and the counts of the pinned snapshot (the same rows) are already known.
 *
 * Its SQLite work is synchronous and slow on large files: call it from a worker thread
 * (run-snapshot-worker.ts).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { TableCounts } from '../format/backup-meta.ts';
import { copyLiveDatabaseWhile, pinLiveDatabase, type CopyLiveDatabaseOptions, type LiveCopyOutcome } from './copy-live-database.ts';
import { hasDemoRows, removeDemoRows } from './snapshot-demo-filter.ts';

export interface DatabaseSnapshotRequest {
  /** The live database. */
  sourcePath: string;
  /** Where the finished copy goes (must not exist). `<copyPath>.unfiltered` is used on the way. */
  copyPath: string;
  /** Remove DOCSight demo rows from the copy. */
  removeDemo: boolean;
}

export interface DatabaseSnapshot {
  copyPath: string;
  size: number;
  /** Rows per table of the copy, in creation order, `sqlite_*` tables excluded (as DOCSight counts). */
  tables: TableCounts;
  demoRowsRemoved: number;
  /**
   * How step 1 went: `copied` for a file copy, otherwise why `VACUUM INTO` was used instead;
   * `held` for no copy at all (holdDatabase).
   */
  copyMethod: LiveCopyOutcome | 'held';
  /**
   * Only for `held`: the live file's device and inode. `copyPath` is then the live file itself,
   * unchanged while the snapshot is held; read it through held-file.ts, and as a rollback-mode file
   * (header bytes 18/19 = 1).
   */
  held?: { dev: number; ino: number };
}

/** A snapshot that is the live file itself, pinned until `release()`. */
export interface HeldDatabase {
  snapshot: DatabaseSnapshot;
  release(): void;
}

/**
 * Pins the live database and, when its pinned snapshot needs nothing changed (no demo rows to
 * remove, at most 1 % free pages), keeps the pin and counts its rows instead of copying it: the
 * backup then reads the live file's bytes, which stay exactly this snapshot until `release()`
 * (copy-live-database.ts, steps 1-4). Copying a gigabyte cost 1.6 s of kernel time, most of a
 * backup that takes over unchanged chunks; writers go on meanwhile, only checkpoints wait.
 * Undefined (nothing held) when it is not WAL, the pin cannot be taken, or the copy must change.
 */
export function holdDatabase(request: DatabaseSnapshotRequest): HeldDatabase | undefined {
  const pin = pinLiveDatabase(request.sourcePath);
  if (typeof pin === 'string') return undefined;
  try {
    const freePages = pin.db.pragma('freelist_count', { simple: true }) as number;
    const pages = pin.db.pragma('page_count', { simple: true }) as number;
    if (freePages > pages * MAX_FREE_PAGE_SHARE || (request.removeDemo && hasDemoRows(pin.db))) {
      pin.release();
      return undefined;
    }
    const tables = countTables(pin.db);
    return {
      snapshot: {
        copyPath: request.sourcePath,
        size: pin.size,
        tables,
        demoRowsRemoved: 0,
        copyMethod: 'held',
        held: { dev: pin.dev, ino: pin.ino },
      },
      release: () => pin.release(),
    };
  } catch (error) {
    pin.release();
    throw error;
  }
}

/** Free pages (of all pages) above which a copy is compacted even without demo rows. */
const MAX_FREE_PAGE_SHARE = 0.01;
const BUSY_TIMEOUT_MS = 30_000;
/**
 * better-sqlite3 builds SQLite with a 16 MB page cache per connection. Every pass here is one
 * sequential scan, which gains nothing from it, and it showed up as +16 MB peak RSS per connection
 * on a 1 GB database; 2 MB (SQLite's own default) keeps the worker small.
 */
const CACHE_SIZE_PRAGMA = 'cache_size = -2000';

function open(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true });
  db.pragma(CACHE_SIZE_PRAGMA);
  return db;
}

/** Rows per table in creation order, `sqlite_*` tables excluded (as DOCSight counts). */
export function countTables(db: Database.Database): TableCounts {
  const names = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' ORDER BY rowid")
    .pluck()
    .all() as string[];
  const tables: TableCounts = {};
  for (const name of names) {
    tables[name] = db
      .prepare(`SELECT COUNT(*) FROM "${name.replaceAll('"', '""')}"`)
      .pluck()
      .get() as number;
  }
  return tables;
}

function vacuumInto(sourcePath: string, targetPath: string): void {
  const db = open(sourcePath);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // VACUUM INTO writes the copy with the connection's sync level; the copy is a scratch file (the
    // archive is fsynced), and skipping its fsync saved 1.1 s of 3.4 s on a 1 GB database. The level
    // is restored before close, since closing the last connection checkpoints the live WAL.
    const synchronous = db.pragma('synchronous', { simple: true }) as number;
    db.pragma('synchronous = OFF');
    try {
      db.prepare('VACUUM INTO ?').run(targetPath);
    } finally {
      db.pragma(`synchronous = ${synchronous}`);
    }
  } finally {
    db.close();
  }
}

/** Copies, filters, compacts and counts one database (see the file comment). */
export async function snapshotDatabase(
  request: DatabaseSnapshotRequest,
  hooks: Pick<CopyLiveDatabaseOptions, 'onCopyProcess'> = {},
): Promise<DatabaseSnapshot> {
  const unfilteredPath = `${request.copyPath}.unfiltered`;
  // While `cp` copies the pinned file, the same snapshot is checked for demo rows and counted: when
  // it has none, the copy needs no filtering and these are its counts.
  const live = await copyLiveDatabaseWhile(
    request.sourcePath,
    unfilteredPath,
    (db) => (request.removeDemo && hasDemoRows(db) ? undefined : countTables(db)),
    hooks,
  );
  const copyMethod: LiveCopyOutcome = live.outcome;
  if (live.outcome !== 'copied') vacuumInto(request.sourcePath, unfilteredPath);
  const liveTables = live.outcome === 'copied' ? live.result : undefined;

  let demoRowsRemoved = 0;
  let compact: boolean;
  const unfiltered = open(unfilteredPath);
  try {
    unfiltered.pragma('journal_mode = DELETE');
    unfiltered.pragma('synchronous = OFF');
    unfiltered.pragma('foreign_keys = ON');
    if (request.removeDemo && liveTables === undefined) demoRowsRemoved = removeDemoRows(unfiltered);
    const freePages = unfiltered.pragma('freelist_count', { simple: true }) as number;
    const pages = unfiltered.pragma('page_count', { simple: true }) as number;
    compact = demoRowsRemoved > 0 || freePages > pages * MAX_FREE_PAGE_SHARE;
    if (compact) unfiltered.prepare('VACUUM INTO ?').run(request.copyPath);
  } finally {
    unfiltered.close();
  }
  if (compact) fs.rmSync(unfilteredPath);
  else fs.renameSync(unfilteredPath, request.copyPath);
  // Rows were neither removed nor moved: the counts of the pinned snapshot are the copy's.
  if (liveTables !== undefined && demoRowsRemoved === 0) {
    return { copyPath: request.copyPath, size: fs.statSync(request.copyPath).size, tables: liveTables, demoRowsRemoved, copyMethod };
  }

  const copy = open(request.copyPath);
  let tables: TableCounts;
  try {
    // VACUUM INTO of a rollback-mode file is rollback-mode already; this pins it for older SQLite.
    copy.pragma('journal_mode = DELETE');
    tables = countTables(copy);
  } finally {
    copy.close();
  }
  return { copyPath: request.copyPath, size: fs.statSync(request.copyPath).size, tables, demoRowsRemoved, copyMethod };
}
