import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLockerError } from '../errors.ts';
import { CONNECTION_MONITOR_DEMO_TABLES, HISTORY_DEMO_TABLES, tablesWithIsDemo } from './demo-tables.ts';
import { CONNECTION_MONITOR_MIGRATION_IDS, HISTORY_MIGRATION_IDS } from './migrations.ts';
import { openConnectionMonitorDatabase, openHistoryDatabase } from './open-database.ts';
import { readSchemaInfo } from './schema-version.ts';

describe('opening DOCSight databases', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-open-db-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates a history database in WAL mode with DOCSight connection settings and all 16 migrations', () => {
    const db = openHistoryDatabase(path.join(dir, 'docsis_history.db'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('busy_timeout', { simple: true })).toBe(30000);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      const info = readSchemaInfo(db);
      expect(info.migrationIds).toEqual([...HISTORY_MIGRATION_IDS]);
      expect(info.migrationIds).toHaveLength(16);
      expect(info.schemaVersion).toBe('2');
      expect(info.tzMigrated).toBeNull();
      expect(db.prepare('SELECT key, value FROM speedtest_meta').all()).toEqual([{ key: 'ts_migrated', value: '1' }]);
    } finally {
      db.close();
    }
  });

  it('records tz_migrated when asked, as a DOCSight start-up does', () => {
    const db = openHistoryDatabase(path.join(dir, 'docsis_history.db'), { utcMigratedTimezone: 'Europe/Berlin' });
    try {
      expect(readSchemaInfo(db).tzMigrated).toMatch(/^Europe\/Berlin\|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    } finally {
      db.close();
    }
  });

  it('creates a connection monitor database with its 2 migrations and no _docsight_meta', () => {
    const db = openConnectionMonitorDatabase(path.join(dir, 'connection_monitor.db'));
    try {
      expect(readSchemaInfo(db)).toEqual({
        schemaVersion: null,
        tzMigrated: null,
        migrationIds: [...CONNECTION_MONITOR_MIGRATION_IDS],
      });
    } finally {
      db.close();
    }
  });

  it("finds exactly DOCSight's demo-flagged tables by their is_demo column", () => {
    const history = openHistoryDatabase(path.join(dir, 'docsis_history.db'));
    const monitor = openConnectionMonitorDatabase(path.join(dir, 'connection_monitor.db'));
    try {
      expect(tablesWithIsDemo(history).toSorted()).toEqual([...HISTORY_DEMO_TABLES].sort());
      expect(tablesWithIsDemo(monitor)).toEqual([...CONNECTION_MONITOR_DEMO_TABLES]);
    } finally {
      history.close();
      monitor.close();
    }
  });

  it('opens a rollback-journal file read-only without migrating it or creating -wal/-shm files', () => {
    const file = path.join(dir, 'docsis_history.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE snapshots (id INTEGER PRIMARY KEY)');
    raw.close();
    const before = fs.readFileSync(file);

    const db = openHistoryDatabase(file, { readonly: true });
    try {
      expect(db.readonly).toBe(true);
      expect(readSchemaInfo(db).migrationIds).toEqual([]);
      expect(fs.readdirSync(dir)).toEqual(['docsis_history.db']);
    } finally {
      db.close();
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['docsis_history.db']);
  });

  it('refuses to open a missing file read-only and does not create it', () => {
    const file = path.join(dir, 'docsis_history.db');
    expect(() => openHistoryDatabase(file, { readonly: true })).toThrow(expect.objectContaining({ code: 'DATABASE_MISSING' }));
    expect(fs.existsSync(file)).toBe(false);
  });

  it('reports a file that is not a database as DATABASE_CORRUPT and leaves it unchanged', () => {
    const file = path.join(dir, 'docsis_history.db');
    fs.writeFileSync(file, 'this is not sqlite, just text that is long enough to fill a header........');
    const before = fs.readFileSync(file);
    for (const readonly of [false, true]) {
      let caught: unknown;
      try {
        openHistoryDatabase(file, { readonly }).close();
      } catch (error) {
        caught = error;
      }
      expect(isLockerError(caught, 'DATABASE_CORRUPT')).toBe(true);
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('changes nothing when a fresh database is opened again', () => {
    const file = path.join(dir, 'docsis_history.db');
    openHistoryDatabase(file).close();
    const snapshot = (db: Database.Database): unknown => ({
      schema: db.prepare('SELECT * FROM sqlite_master ORDER BY rowid').all(),
      registry: db.prepare('SELECT * FROM _docsight_migrations ORDER BY rowid').all(),
      meta: db.prepare('SELECT * FROM _docsight_meta ORDER BY rowid').all(),
    });
    const first = new Database(file, { readonly: true });
    const before = snapshot(first);
    first.close();
    const db = openHistoryDatabase(file);
    try {
      expect(snapshot(db)).toEqual(before);
    } finally {
      db.close();
    }
  });
});
