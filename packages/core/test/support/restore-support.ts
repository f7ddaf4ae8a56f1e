/**
 * Helpers for the archive-reading and restore tests: temp dirs, archives built in the test with
 * tar-stream + zlib (or Python's tarfile for DOCSight-style PAX archives), SQLite files, and a
 * byte-level snapshot of a directory.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import tarStream from 'tar-stream';
import { FIXTURE_ARCHIVES } from './db-fixture-archives.ts';

export const FIXTURE_A = FIXTURE_ARCHIVES['a-real-1m'];
export const FIXTURE_B = FIXTURE_ARCHIVES['b-demo-1m'];

const tempDirs: string[] = [];

/** A new temp dir, removed by cleanupTempDirs(). */
export function makeTempDir(label = 'restore'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `el-${label}-`));
  tempDirs.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export interface TarMember {
  name: string;
  content?: Buffer | string;
  type?: tarStream.Header['type'];
  linkname?: string;
  mode?: number;
  /** Extra PAX records (a `path` record overrides the ustar name). */
  pax?: Record<string, string>;
}

/** A tar archive (not compressed) of `members`, in order. */
export async function buildTar(members: TarMember[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const member of members) {
    const content = member.content === undefined ? Buffer.alloc(0) : Buffer.from(member.content);
    await new Promise<void>((resolve, reject) => {
      const header: tarStream.Header = {
        name: member.name,
        size: member.type === undefined || member.type === 'file' ? content.length : 0,
        mode: member.mode ?? 0o644,
        mtime: new Date(1_795_676_833_000),
        type: member.type ?? 'file',
        linkname: member.linkname ?? '',
        uid: 0,
        gid: 0,
        uname: 'root',
        gname: 'root',
        devmajor: 0,
        devminor: 0,
        ...(member.pax === undefined ? {} : { pax: member.pax }),
      };
      const done = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (header.type === 'file') pack.entry(header, content, done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

/** A gzip-compressed tar of `members`. */
export async function buildTarGz(members: TarMember[]): Promise<Buffer> {
  return gzipSync(await buildTar(members));
}

/** `backup_meta.json` text as DOCSight writes it, with `overrides` merged in. */
export function metaText(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ magic: 'docsight-backup', format_version: 1, ...overrides }, null, 2);
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `members` digests for an Evidence Locker meta. */
export function memberDigests(members: TarMember[]): Record<string, { size: number; sha256: string }> {
  const digests: Record<string, { size: number; sha256: string }> = {};
  for (const member of members) {
    const content = Buffer.from(member.content ?? '');
    digests[member.name] = { size: content.length, sha256: sha256(content) };
  }
  return digests;
}

/**
 * Writes a SQLite database with `snapshots(id, timestamp, summary_json)` holding `rows` (the
 * summary text of each row). `wal` leaves the header WAL-flagged (bytes 18/19 = 2), like DOCSight's
 * archived main database.
 */
export function writeSnapshotDb(file: string, rows: string[], options: { wal?: boolean } = {}): Buffer {
  const db = new Database(file);
  db.exec('CREATE TABLE snapshots (id INTEGER PRIMARY KEY, timestamp TEXT, summary_json TEXT, is_demo INTEGER DEFAULT 0)');
  const insert = db.prepare('INSERT INTO snapshots (timestamp, summary_json) VALUES (?, ?)');
  rows.forEach((row, index) => insert.run(`2026-11-26T07:0${index}:00Z`, row));
  if (options.wal === true) db.pragma('journal_mode = WAL');
  db.close();
  return fs.readFileSync(file);
}

/** The bytes of a fresh database built by writeSnapshotDb in a scratch dir. */
export function snapshotDbBytes(rows: string[], options: { wal?: boolean } = {}): Buffer {
  const dir = makeTempDir('db');
  return writeSnapshotDb(path.join(dir, 'x.db'), rows, options);
}

/**
 * `summary_json` of every snapshot row, in id order. Opened read-write: a read-only connection to a
 * WAL-mode file leaves `-wal`/`-shm` behind, which would hide what the restore itself left.
 */
export function readSnapshotRows(file: string): string[] {
  const db = new Database(file, { fileMustExist: true });
  try {
    return (db.prepare('SELECT summary_json FROM snapshots ORDER BY id').all() as { summary_json: string }[]).map(
      (row) => row.summary_json,
    );
  } finally {
    db.close();
  }
}

/** Every entry under `dir` (hidden ones included) → SHA-256 of its bytes, or `dir` for directories. */
export function snapshotDir(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const relative = path.relative(dir, full);
      if (entry.isDirectory()) {
        result[relative] = 'dir';
        walk(full);
      } else {
        result[relative] = sha256(fs.readFileSync(full));
      }
    }
  };
  walk(dir);
  return result;
}

/**
 * A live DOCSight data dir: a history database with one row "live" (and a stale `-wal` file),
 * a connection monitor database, config.json and the three key files.
 */
export function makeLiveDataDir(): string {
  const dir = makeTempDir('live');
  writeSnapshotDb(path.join(dir, 'docsis_history.db'), ['live']);
  writeSnapshotDb(path.join(dir, 'connection_monitor.db'), ['live-cm']);
  fs.writeFileSync(path.join(dir, 'docsis_history.db-wal'), 'stale wal bytes');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ modem_type: 'live', poll_interval: 900 }));
  fs.writeFileSync(path.join(dir, '.config_key'), 'bGl2ZS1jb25maWcta2V5LWZvci10aGUtdGVzdHMtISE=');
  fs.writeFileSync(path.join(dir, '.session_key'), Buffer.alloc(32, 7));
  fs.writeFileSync(path.join(dir, '.auth_state'), 'a'.repeat(64));
  fs.mkdirSync(path.join(dir, 'modules'));
  fs.writeFileSync(path.join(dir, 'modules', 'theme.css'), 'body{}');
  return dir;
}

/** Names in `dir` that a restore created as work files. */
export function restoreWorkFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.startsWith('.evidence-locker-restore-'));
}

/**
 * A DOCSight-style archive made by Python's tarfile (`w:gz`, PAX format, a pax header with the
 * float mtime before every member), like `create_backup_to_file`. Members are written in order
 * from `files` (name → file path).
 */
export function buildPythonArchive(target: string, files: [string, string][]): void {
  const script = `
import json, sys, tarfile
spec = json.load(sys.stdin)
with tarfile.open(spec["target"], "w:gz") as tar:
    for name, source in spec["files"]:
        tar.add(source, arcname=name)
`;
  execFileSync('python3', ['-c', script], { input: JSON.stringify({ target, files }) });
}
