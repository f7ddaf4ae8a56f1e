/**
 * The logical state of a data directory, to tell "all old" from "all new" after a crash.
 *
 * Plain files (config.json, the key files) are compared by their bytes. A database is compared by
 * what it holds, not by its bytes (a restore rewrites headers and switches journal modes, a backup
 * compacts): its schema, and per table the row count and a SHA-256 over the rows in a canonical
 * order (ORDER BY every column, so rowids renumbered by VACUUM do not matter). The database is read
 * from a private copy (with its `-wal` and `-journal`, which belong to its content), so reading
 * never leaves sidecars in the directory and a hot journal or WAL is applied the way the next
 * SQLite opener would apply it. `PRAGMA quick_check` must pass on the copy. Contents are cached by
 * the bytes' SHA-256 (most trials leave a database byte-identical to one seen before).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATA_FILES, isDatabaseFileName, type DataFileName } from '@evidence-locker/core';

/** One database's logical content. */
export interface DatabaseContent {
  /** SHA-256 over schema, row counts and row hashes: equal digests mean equal content. */
  digest: string;
  /** Rows per user table. */
  tables: Record<string, number>;
}

/** The state of every data file: a digest, or null when the file does not exist. */
export interface DataDirFingerprint {
  files: Record<DataFileName, string | null>;
  /** Row counts of the databases present. */
  databases: Partial<Record<DataFileName, DatabaseContent>>;
}

const SQLITE_CONTENT_SIDECARS = ['-wal', '-journal'] as const;

/** Fingerprints `dataDir` without changing anything in it. */
export async function fingerprintDataDir(dataDir: string): Promise<DataDirFingerprint> {
  const files = {} as Record<DataFileName, string | null>;
  const databases: DataDirFingerprint['databases'] = {};
  for (const name of DATA_FILES) {
    const file = path.join(dataDir, name);
    const stats = await fs.lstat(file).catch(() => null);
    if (!stats?.isFile()) {
      files[name] = null;
      continue;
    }
    if (isDatabaseFileName(name)) {
      const content = await readDatabaseContent(file);
      files[name] = content.digest;
      databases[name] = content;
    } else {
      files[name] = createHash('sha256')
        .update(await fs.readFile(file))
        .digest('hex');
    }
  }
  return { files, databases };
}

const contentByBytes = new Map<string, DatabaseContent>();

async function hashFileIfPresent(file: string): Promise<string> {
  try {
    return createHash('sha256')
      .update(await fs.readFile(file))
      .digest('hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
}

/** The content digest of the database at `file` (read from a copy). */
export async function readDatabaseContent(file: string): Promise<DatabaseContent> {
  const bytes = (await Promise.all(['', ...SQLITE_CONTENT_SIDECARS].map((suffix) => hashFileIfPresent(file + suffix)))).join(':');
  const cached = contentByBytes.get(bytes);
  if (cached) return cached;
  const content = await readDatabaseContentUncached(file);
  contentByBytes.set(bytes, content);
  return content;
}

async function readDatabaseContentUncached(file: string): Promise<DatabaseContent> {
  const copyDir = await fs.mkdtemp(path.join(os.tmpdir(), 'el-crash-fp-'));
  try {
    const copy = path.join(copyDir, 'db');
    await fs.copyFile(file, copy);
    for (const suffix of SQLITE_CONTENT_SIDECARS) {
      await fs.copyFile(file + suffix, copy + suffix).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    const db = new Database(copy);
    try {
      return digestDatabase(db, file);
    } finally {
      db.close();
    }
  } finally {
    await fs.rm(copyDir, { recursive: true, force: true });
  }
}

function digestDatabase(db: Database.Database, label: string): DatabaseContent {
  const check = db.pragma('quick_check', { simple: true });
  if (check !== 'ok') throw new Error(`${label} fails quick_check: ${String(check)}`);
  const digest = createHash('sha256');
  const schema = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name")
    .raw()
    .all();
  digest.update(JSON.stringify(schema));
  const tables: Record<string, number> = {};
  const names = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
    .pluck()
    .all() as string[];
  for (const table of names) {
    const quoted = `"${table.replaceAll('"', '""')}"`;
    const columns = (db.prepare(`PRAGMA table_info(${quoted})`).all() as { cid: number }[]).map((column) => column.cid + 1);
    const order = columns.length > 0 ? ` ORDER BY ${columns.join(', ')}` : '';
    const rows = createHash('sha256');
    let count = 0;
    for (const row of db.prepare(`SELECT * FROM ${quoted}${order}`).raw().iterate() as Iterable<unknown[]>) {
      count += 1;
      let text = '';
      for (const value of row) {
        if (value === null) text += 'N|';
        else if (Buffer.isBuffer(value)) {
          rows.update(`${text}x${value.length}:`);
          rows.update(value);
          text = '|';
        } else if (typeof value === 'string') text += `s${value.length}:${value}|`;
        else if (typeof value === 'bigint') text += `b${value.toString()}|`;
        else text += `n${typeof value === 'number' ? value.toString() : JSON.stringify(value)}|`;
      }
      rows.update(`${text}\n`);
    }
    tables[table] = count;
    digest.update(`${table}:${count}:${rows.digest('hex')}\n`);
  }
  return { digest: digest.digest('hex'), tables };
}
