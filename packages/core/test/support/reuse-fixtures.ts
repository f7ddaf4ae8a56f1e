/**
 * Fixtures for the tests of backups that take over the previous backup's compressed chunks
 * (archive/create/reuse-previous-members.ts): a DOCSight data directory whose WAL databases hold a
 * few MB of seeded pseudo-random rows shaped like DOCSight's (snapshots with channel JSON, events,
 * connection-monitor samples), the changes a day of DOCSight (or an upgrade) makes to them, a
 * digest of a database's content to compare an archived copy with the live one, and where each
 * gzip member of an archive lies (from its meta's `gzip_members`).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { createBackup, type CreateBackupOptions, type CreateBackupResult } from '../../src/archive/create/create-backup.ts';
import { removeDemoRows } from '../../src/archive/create/snapshot-demo-filter.ts';
import { readArchive, type ReadArchiveResult } from '../../src/archive/read/read-archive.ts';
import { makeDataDir, type FixtureDataDir } from './create-backup-fixtures.ts';

/** A small seeded PRNG (mulberry32): the same seed gives the same rows and the same changes. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [min, max]. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Opens a live database (WAL, as DOCSight's), runs `change` in it, and closes it (checkpointing the WAL). */
export function withDatabase<T>(file: string, change: (db: Database.Database) => T): T {
  const db = new Database(file, { fileMustExist: true });
  try {
    return change(db);
  } finally {
    db.close();
  }
}

/** DOCSight-like downstream channel JSON of one poll: about 3 KB, compressible like the real thing. */
function channelsJson(random: () => number): string {
  const channels = Array.from({ length: 24 }, (_, index) => ({
    channel_id: index + 1,
    frequency: `${114 + index * 8} MHz`,
    power: Math.round((random() * 12 - 4) * 10) / 10,
    snr: Math.round((33 + random() * 8) * 10) / 10,
    modulation: random() < 0.9 ? '256QAM' : '64QAM',
    correctable_errors: Math.floor(random() * 5000),
    uncorrectable_errors: Math.floor(random() * 40),
  }));
  return JSON.stringify(channels);
}

/** Appends `rows` polls: a snapshot row and an event row each, as DOCSight's collector does. */
export function appendPolls(db: Database.Database, random: () => number, rows: number): void {
  const snapshot = db.prepare('INSERT INTO snapshots (timestamp, summary_json, ds_channels_json, us_channels_json) VALUES (?, ?, ?, ?)');
  const event = db.prepare("INSERT INTO events (timestamp, severity, event_type, message, details) VALUES (?, 'info', ?, ?, ?)");
  let pollCounter = db.prepare('SELECT COALESCE(MAX(id), 0) FROM snapshots').pluck().get() as number;
  db.transaction(() => {
    for (let row = 0; row < rows; row += 1) {
      pollCounter += 1;
      const timestamp = `2026-12-${String((pollCounter % 28) + 1).padStart(2, '0')}T00:00:00Z#${pollCounter}-${Math.floor(random() * 1e9)}`;
      const summary = JSON.stringify({ ds_total: 24, health: random() < 0.95 ? 'good' : 'marginal', poll: pollCounter });
      snapshot.run(timestamp, summary, channelsJson(random), '[]');
      event.run(timestamp, random() < 0.5 ? 'snr_drop' : 'power_change', `poll ${pollCounter}`, JSON.stringify({ value: random() }));
    }
  })();
}

/** Appends `rows` connection-monitor samples of the user target (id 1). */
export function appendSamples(db: Database.Database, random: () => number, rows: number): void {
  const sample = db.prepare(
    'INSERT INTO connection_samples (target_id, timestamp, latency_ms, timeout, probe_method) VALUES (1, ?, ?, ?, ?)',
  );
  const start = (db.prepare('SELECT COALESCE(MAX(timestamp), 1.0e9) FROM connection_samples').pluck().get() as number) + 1;
  db.transaction(() => {
    for (let row = 0; row < rows; row += 1) {
      const timeout = random() < 0.02 ? 1 : 0;
      sample.run(start + row * 5.0 + random(), timeout ? null : 5 + random() * 40, timeout, random() < 0.5 ? 'tcp' : 'icmp');
    }
  })();
}

/** Rewrites a few rows in the middle of the history in place: a few pages change, none move. */
export function updateMiddle(db: Database.Database, random: () => number, rows: number): void {
  const count = db.prepare('SELECT MAX(id) FROM events').pluck().get() as number;
  const acknowledge = db.prepare('UPDATE events SET acknowledged = 1 WHERE id = ?');
  const summary = db.prepare('UPDATE snapshots SET summary_json = ? WHERE id = ?');
  db.transaction(() => {
    for (let row = 0; row < rows; row += 1) {
      const id = Math.floor(count * (0.3 + random() * 0.4));
      acknowledge.run(id);
      summary.run(JSON.stringify({ ds_total: 24, health: 'reviewed', poll: id }), id);
    }
  })();
}

/** Deletes a share of the snapshots and events (a retention run), leaving free pages behind. */
export function deleteShare(db: Database.Database, random: () => number, share: number): void {
  const modulus = Math.max(2, Math.round(1 / share));
  const offset = Math.floor(random() * modulus);
  db.prepare('DELETE FROM snapshots WHERE id % ? = ?').run(modulus, offset);
  db.prepare('DELETE FROM events WHERE id % ? = ?').run(modulus, offset);
}

/** A retention run followed by a VACUUM: the file shrinks and most pages move. */
export function deleteAndVacuum(db: Database.Database, random: () => number): void {
  deleteShare(db, random, 0.3);
  db.exec('VACUUM');
}

/** A schema migration as a DOCSight upgrade makes one: a new column and a new index. */
export function migrateSchema(db: Database.Database): void {
  const migrationCounter = (db.prepare('SELECT COUNT(*) FROM pragma_table_info(?)').pluck().get('snapshots') as number) + 1;
  db.exec(`ALTER TABLE snapshots ADD COLUMN docsis_version_${migrationCounter} TEXT`);
  db.exec(`CREATE INDEX IF NOT EXISTS idx_events_type_${migrationCounter} ON events(event_type, timestamp)`);
}

/**
 * A DOCSight data directory (WAL databases, config and key files) with `historyPolls` polls in
 * docsis_history.db (about 3.3 KB each) and `samples` connection samples (about 40 bytes each).
 * Without `demoRows` it holds no demo rows at all (as a user's instance: a backup then reads the
 * live files in place); with them, each table has that many and a backup filters a copy.
 */
export function makeSizedDataDir(options: { historyPolls: number; samples: number; seed: number; demoRows?: number }): FixtureDataDir {
  const fixture = makeDataDir({ userRows: 3, demoRows: options.demoRows ?? 0 });
  if (!options.demoRows) {
    // makeDataDir links a few rows to demo ones whatever it is asked; a user's instance has none.
    for (const file of [fixture.historyPath, fixture.monitorPath]) {
      withDatabase(file, (db) => {
        removeDemoRows(db);
        db.exec('VACUUM');
      });
    }
  }
  const random = prng(options.seed);
  withDatabase(fixture.historyPath, (db) => appendPolls(db, random, options.historyPolls));
  withDatabase(fixture.monitorPath, (db) => appendSamples(db, random, options.samples));
  return fixture;
}

/** A sized data directory with a backup directory and a directory for the full backups to compare with. */
export interface ReuseFixture extends FixtureDataDir {
  root: string;
  /** Where the backups go: the previous one and the one that takes over from it. */
  backupDir: string;
  /** Where the full backups (`reuse: false`) to compare with go. */
  fullDir: string;
}

export function makeReuseFixture(options: Parameters<typeof makeSizedDataDir>[0]): ReuseFixture {
  const made = makeSizedDataDir(options);
  const root = path.dirname(made.dataDir);
  return { ...made, root, backupDir: path.join(root, 'backups'), fullDir: path.join(root, 'full') };
}

/** A backup of the fixture's data directory into `dir` at `now`, in members of `chunkSize` bytes. */
export function backupAt(
  fx: { dataDir: string },
  dir: string,
  now: Date,
  chunkSize: number,
  extra: Partial<CreateBackupOptions> = {},
): Promise<CreateBackupResult> {
  return createBackup({
    dataDir: fx.dataDir,
    destination: { kind: 'directory', backupDir: dir },
    trigger: 'scheduled',
    now,
    gzip: { chunkSize },
    ...extra,
  });
}

/**
 * SHA-256 of a database's schema and every row of every table in rowid order: the same for a live
 * database and an archived copy of it that holds the same rows, whatever pages they are on.
 */
export function contentDigest(file: string): string {
  const db = new Database(file, { fileMustExist: true, readonly: true });
  try {
    const hash = createHash('sha256');
    const schema = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();
    hash.update(JSON.stringify(schema));
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    for (const table of tables) {
      hash.update(`\0${table}\0`);
      for (const row of db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).raw().iterate() as Iterable<unknown[]>) {
        hash.update(JSON.stringify(row, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('hex') : value)));
      }
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

/**
 * contentDigest of what a backup of the live database `file` must hold: its rows with the demo
 * rows left out (the backup's filter), read through SQLite (rows still in the WAL included) into a
 * scratch copy.
 */
export function liveContentDigest(file: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-reuse-live-'));
  try {
    const copy = path.join(dir, path.basename(file));
    withDatabase(file, (db) => db.prepare('VACUUM INTO ?').run(copy));
    withDatabase(copy, (db) => {
      db.pragma('foreign_keys = ON');
      removeDemoRows(db);
    });
    return contentDigest(copy);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Reads the archive at `archivePath` as a restore does (every rule of the format, every member's
 * SHA-256 against the meta) and writes its data members into `outDir`.
 */
export async function extractArchive(archivePath: string, outDir: string): Promise<ReadArchiveResult> {
  return readArchive(fs.createReadStream(archivePath), async (member, content) => {
    await pipeline(content, fs.createWriteStream(path.join(outDir, member.name), { flags: 'wx' }));
  });
}

/** Where a gzip member lies in an archive file. */
export interface MemberSpan {
  offset: number;
  length: number;
}

/**
 * The body members of an archive (every member after the meta's, the end-of-archive one left
 * out), located by the meta's `gzip_members`: the meta's own member is the file size minus their sum.
 */
export function bodyMemberSpans(gzipMembers: readonly number[], fileSize: number): MemberSpan[] {
  const head = fileSize - gzipMembers.reduce((sum, length) => sum + length, 0);
  const spans: MemberSpan[] = [];
  let offset = head;
  for (const length of gzipMembers.slice(0, -1)) {
    spans.push({ offset, length });
    offset += length;
  }
  return spans;
}

/**
 * Which body members hold what, by the layout write-archive-body.ts promises: the history's tar
 * header, its content in `chunkSize` pieces, the monitor's tar header, its content, then one member
 * for config.json and .config_key. Indexes into the body members (the meta's member is not counted).
 */
export function bodyLayout(
  sizes: { history: number; monitor: number },
  chunkSize: number,
): { historyHeader: number; history: number[]; monitorHeader: number; monitor: number[]; smallFiles: number; count: number } {
  const chunks = (size: number) => Math.ceil((Math.ceil(size / 512) * 512) / chunkSize);
  const historyChunks = chunks(sizes.history);
  const monitorChunks = chunks(sizes.monitor);
  const range = (from: number, length: number) => Array.from({ length }, (_, index) => from + index);
  return {
    historyHeader: 0,
    history: range(1, historyChunks),
    monitorHeader: historyChunks + 1,
    monitor: range(historyChunks + 2, monitorChunks),
    smallFiles: historyChunks + monitorChunks + 2,
    count: historyChunks + monitorChunks + 3,
  };
}
