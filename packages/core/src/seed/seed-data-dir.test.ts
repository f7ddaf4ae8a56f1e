import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockerError } from '../errors.ts';
import { seedDataDir, type SeedSummary } from './seed-data-dir.ts';

const NOW = new Date('2026-11-26T07:07:03Z');
const DB_FILES = ['docsis_history.db', 'connection_monitor.db'] as const;
const DEMO_FLAGGED = {
  'docsis_history.db': [
    'bnetz_measurements',
    'bqm_graphs',
    'events',
    'incidents',
    'journal_entries',
    'snapshots',
    'speedtest_results',
    'weather_data',
  ],
  'connection_monitor.db': ['connection_targets', 'traceroute_traces'],
};

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-seed-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function open(dir: string, file: string) {
  return new BetterSqlite3(path.join(dir, file), { readonly: true });
}

/** Tables that have an is_demo column, and how many of their rows carry each flag value. */
function demoFlags(dir: string) {
  const out: Record<string, Record<string, Record<number, number>>> = {};
  for (const file of DB_FILES) {
    const db = open(dir, file);
    out[file] = {};
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table'").pluck().all() as string[];
    for (const table of tables) {
      const columns = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[];
      if (!columns.includes('is_demo')) continue;
      const rows = db.prepare(`SELECT is_demo AS flag, count(*) AS n FROM "${table}" GROUP BY is_demo`).all() as Array<{
        flag: number;
        n: number;
      }>;
      out[file][table] = Object.fromEntries(rows.map((r) => [r.flag, r.n]));
    }
    db.close();
  }
  return out;
}

function countRows(dir: string, file: string, tables: string[]) {
  const db = open(dir, file);
  const counts = Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]));
  db.close();
  return counts;
}

/** A digest per table of every row, so two seeds can be compared without holding them. */
function tableDigests(dir: string) {
  const digests: Record<string, string> = {};
  for (const file of DB_FILES) {
    const db = open(dir, file);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN ('_docsight_migrations', '_docsight_meta')")
      .pluck()
      .all() as string[];
    for (const table of tables) {
      const hash = createHash('sha256');
      for (const row of db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).raw().iterate())
        hash.update(JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)));
      digests[`${file}/${table}`] = hash.digest('hex');
    }
    db.close();
  }
  return digests;
}

describe('seedDataDir in user mode (one month)', () => {
  let dir: string;
  let summary: SeedSummary;
  let leftovers: string[];
  beforeAll(() => {
    dir = tempDir();
    summary = seedDataDir({ dataDir: dir, mode: 'user', months: 1, now: NOW, seed: 11, connectionMonitorDays: 2 });
    // Read before any test opens the files (a read-only WAL reader leaves -wal/-shm behind).
    leftovers = fs.readdirSync(dir).sort();
  });

  it('writes the row counts of a one-month install, as the summary reports them', () => {
    const history = summary.rows['docsis_history.db'];
    expect(history.snapshots).toBe(2918); // 30.4 days x 96 polls
    expect(history.weather_data).toBe(32 * 24);
    expect(history.journal_entries).toBe(3);
    expect(history.incidents).toBe(1);
    expect(history.bnetz_measurements).toBe(1);
    expect(history.bqm_graphs).toBe(30);
    expect(history.speedtest_results).toBeGreaterThan(60);
    expect(history.speedtest_results).toBeLessThan(95);
    expect(history.events).toBeGreaterThan(8);
    expect(history.events).toBeLessThan(40);
    expect(countRows(dir, 'docsis_history.db', Object.keys(history))).toEqual(history);
    const monitor = summary.rows['connection_monitor.db'];
    expect(monitor).toEqual({ connection_targets: 3, connection_samples: 2 * 8640 * 3, traceroute_traces: 5, traceroute_hops: 57 });
    expect(countRows(dir, 'connection_monitor.db', Object.keys(monitor))).toEqual(monitor);
  });

  it('flags every row is_demo=0 in both databases', () => {
    const flags = demoFlags(dir);
    for (const file of DB_FILES) {
      expect(Object.keys(flags[file]!).sort()).toEqual(DEMO_FLAGGED[file]);
      for (const [table, byFlag] of Object.entries(flags[file]!)) expect(Object.keys(byFlag), `${file}/${table}`).toEqual(['0']);
    }
  });

  it('stores raw_json with every snapshot, UTC text timestamps and epoch-second monitor samples', () => {
    const db = open(dir, 'docsis_history.db');
    expect(db.prepare('SELECT count(*) FROM snapshots WHERE raw_json IS NULL').pluck().get()).toBe(0);
    expect(db.prepare('SELECT min(timestamp) FROM weather_data').pluck().get()).toBe('2026-10-26T00:00:00Z');
    expect(db.prepare('SELECT max(timestamp) FROM snapshots').pluck().get()).toBe('2026-11-26T06:52:03Z');
    db.close();
    const monitor = open(dir, 'connection_monitor.db');
    expect(monitor.prepare('SELECT DISTINCT typeof(timestamp) FROM connection_samples').pluck().all()).toEqual(['real']);
    const newest = monitor.prepare('SELECT max(timestamp) FROM connection_samples').pluck().get() as number;
    expect(NOW.getTime() / 1000 - newest).toBeGreaterThan(0);
    expect(NOW.getTime() / 1000 - newest).toBeLessThan(30);
    monitor.close();
  });

  it('leaves checkpointed WAL-mode files whose sizes the summary reports', () => {
    for (const file of DB_FILES) {
      const bytes = fs.readFileSync(path.join(dir, file)).subarray(18, 20);
      expect([...bytes]).toEqual([2, 2]);
      expect(summary.files[file]).toBe(fs.statSync(path.join(dir, file)).size);
    }
    expect(leftovers).toEqual(['connection_monitor.db', 'docsis_history.db']);
    // The real one-month fixture's docsis_history.db is 39.0 MB.
    expect(summary.files['docsis_history.db']).toBeGreaterThan(30e6);
    expect(summary.files['docsis_history.db']).toBeLessThan(48e6);
  });

  it('refuses a directory that already holds a database', () => {
    expect(() => seedDataDir({ dataDir: dir, mode: 'user', months: 1 })).toThrowError(LockerError);
  });
});

describe('seedDataDir failures', () => {
  it('removes the half-written databases when seeding fails, so a retry can start over', () => {
    const dir = tempDir();
    const failing = () => {
      throw new Error('stop');
    };
    expect(() => seedDataDir({ dataDir: dir, mode: 'user', historyDays: 1, onProgress: failing })).toThrowError('stop');
    expect(fs.readdirSync(dir)).toEqual([]);
    const summary = seedDataDir({ dataDir: dir, mode: 'user', historyDays: 1, connectionMonitorDays: 0.01 });
    expect(summary.rows['docsis_history.db'].snapshots).toBe(96);
  });

  it('rejects invalid options with INVALID_ARGUMENT', () => {
    expect(() => seedDataDir({ dataDir: tempDir(), mode: 'user', months: -1 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('seedDataDir determinism', () => {
  it('writes identical rows for the same seed and different ones for another seed', () => {
    const options = { mode: 'user' as const, historyDays: 3, connectionMonitorDays: 0.1, now: NOW };
    const a = tempDir();
    const b = tempDir();
    const c = tempDir();
    seedDataDir({ ...options, dataDir: a, seed: 5 });
    seedDataDir({ ...options, dataDir: b, seed: 5 });
    seedDataDir({ ...options, dataDir: c, seed: 6 });
    const first = tableDigests(a);
    expect(tableDigests(b)).toEqual(first);
    const other = tableDigests(c);
    expect(other['docsis_history.db/snapshots']).not.toBe(first['docsis_history.db/snapshots']);
    expect(other['connection_monitor.db/connection_samples']).not.toBe(first['connection_monitor.db/connection_samples']);
  });
});

describe('seedDataDir in demo mode', () => {
  it("seeds DOCSight's full demo volumes, every row is_demo=1, in well under a minute", () => {
    const dir = tempDir();
    const summary = seedDataDir({ dataDir: dir, mode: 'demo', now: NOW, seed: 1 });
    const history = summary.rows['docsis_history.db'];
    expect(history).toMatchObject({
      snapshots: 25_920,
      journal_entries: 12,
      incidents: 3,
      bqm_graphs: 30,
      bnetz_measurements: 9,
      weather_data: 6_504,
    });
    expect(history.events).toBeGreaterThan(100);
    expect(history.events).toBeLessThan(170);
    expect(history.speedtest_results).toBeGreaterThan(640);
    expect(history.speedtest_results).toBeLessThan(740);
    expect(summary.rows['connection_monitor.db']).toEqual({
      connection_targets: 3,
      connection_samples: 181_440,
      traceroute_traces: 5,
      traceroute_hops: 57,
    });
    // DOCSight's demo docsis_history.db is 241 MB.
    expect(summary.files['docsis_history.db']).toBeGreaterThan(215e6);
    expect(summary.files['docsis_history.db']).toBeLessThan(265e6);
    expect(summary.seconds).toBeLessThan(60);

    const flags = demoFlags(dir);
    for (const file of DB_FILES) {
      expect(Object.keys(flags[file]!).sort()).toEqual(DEMO_FLAGGED[file]);
      for (const [table, byFlag] of Object.entries(flags[file]!)) expect(Object.keys(byFlag), `${file}/${table}`).toEqual(['1']);
    }
    const db = open(dir, 'docsis_history.db');
    expect(db.prepare('SELECT timestamp FROM weather_data ORDER BY id LIMIT 1').pluck().get()).toBe('2026-03-01 00:00:00Z');
    expect(db.prepare('SELECT count(*) FROM snapshots WHERE raw_json IS NOT NULL').pluck().get()).toBe(0);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});
