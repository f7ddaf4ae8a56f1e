import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTORY_MIGRATION_IDS } from '../src/db/migrations.ts';
import { openHistoryDatabase } from '../src/db/open-database.ts';
import { readSchemaInfo } from '../src/db/schema-version.ts';
import { countRows } from '../src/db/table-counts.ts';
import { tableColumns } from '../src/db/table-shape.ts';
import { makeTempDir, type ExtractedFixture } from './support/db-fixture-archives.ts';

const COMMUNITY_DDL = 'CREATE TABLE fritzbox_cable_readings (id INTEGER PRIMARY KEY, ts TEXT, value REAL)';

/** An old DOCSight database: legacy journal, old snapshots/events/speedtest, alternate weather, no indexes. */
function writeLegacyDatabase(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE incidents (id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT NOT NULL, title TEXT NOT NULL,
      description TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE TABLE incident_attachments (id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id INTEGER NOT NULL,
      filename TEXT NOT NULL, mime_type TEXT NOT NULL, data BLOB NOT NULL, created_at TEXT NOT NULL,
      FOREIGN KEY (incident_id) REFERENCES incidents(id) ON DELETE CASCADE);
    CREATE TABLE snapshots (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL, summary_json TEXT NOT NULL,
      ds_channels_json TEXT NOT NULL, us_channels_json TEXT NOT NULL);
    CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL, severity TEXT NOT NULL,
      event_type TEXT NOT NULL, message TEXT NOT NULL, details TEXT, acknowledged INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE weather_data (timestamp TEXT PRIMARY KEY, temperature REAL NOT NULL);
    CREATE TABLE speedtest_results (id INTEGER PRIMARY KEY, timestamp TEXT NOT NULL, download_mbps REAL,
      upload_mbps REAL, download_human TEXT, upload_human TEXT, ping_ms REAL, jitter_ms REAL, packet_loss_pct REAL);
    ${COMMUNITY_DDL};
    INSERT INTO incidents VALUES (1, '2025-01-02', 'Outage', 'No sync', '2025-01-02T10:00:00Z', '2025-01-02T10:00:00Z');
    INSERT INTO incidents VALUES (2, '2025-01-05', 'Slow', NULL, '2025-01-05T10:00:00Z', '2025-01-05T11:00:00Z');
    INSERT INTO incident_attachments VALUES (7, 1, 'modem.png', 'image/png', x'89504e47', '2025-01-02T10:01:00Z');
    INSERT INTO snapshots (timestamp, summary_json, ds_channels_json, us_channels_json)
      VALUES ('2025-01-02T10:00:00Z', '{}', '[]', '[]'), ('2025-01-02T10:15:00Z', '{}', '[]', '[]');
    INSERT INTO events (timestamp, severity, event_type, message) VALUES ('2025-01-02T10:00:00Z', 'warning', 'snr', 'low');
    INSERT INTO weather_data VALUES ('2025-01-02T10:00:00Z', 4.5);
    INSERT INTO speedtest_results (id, timestamp, download_mbps) VALUES (41, '2025-01-02T11:04:05+01:00', 512.5);
    INSERT INTO fritzbox_cable_readings VALUES (1, 'a', 1.5), (2, 'b', 2.5), (3, 'c', 3.5);
  `);
  db.close();
}

function sqlOf(db: Database.Database, name: string): string | undefined {
  return (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string } | undefined)?.sql;
}

function indexNames(db: Database.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL ORDER BY name").all() as {
      name: string;
    }[]
  ).map((row) => row.name);
}

describe('upgrading old DOCSight databases', () => {
  let temp: ExtractedFixture;
  let file: string;
  beforeEach(() => {
    temp = makeTempDir('legacy');
    file = path.join(temp.dir, 'docsis_history.db');
  });
  afterEach(() => temp.cleanup());

  it('renames the legacy incidents table to journal_entries and moves its attachments', () => {
    writeLegacyDatabase(file);
    const db = openHistoryDatabase(file);
    try {
      const entries = db.prepare('SELECT id, date, title, description, incident_id, icon, is_demo FROM journal_entries ORDER BY id').all();
      expect(entries).toEqual([
        { id: 1, date: '2025-01-02', title: 'Outage', description: 'No sync', incident_id: null, icon: null, is_demo: 0 },
        { id: 2, date: '2025-01-05', title: 'Slow', description: null, incident_id: null, icon: null, is_demo: 0 },
      ]);
      expect(db.prepare('SELECT id, entry_id, filename, hex(data) AS data FROM journal_attachments').all()).toEqual([
        { id: 7, entry_id: 1, filename: 'modem.png', data: '89504E47' },
      ]);
      expect(sqlOf(db, 'incident_attachments')).toBeUndefined();
      // The journal module then creates the new-style incidents table.
      expect(tableColumns(db, 'incidents')).toContain('name');
      expect(countRows(db).incidents).toBe(0);
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('adds the missing columns and indexes while keeping every row', () => {
    writeLegacyDatabase(file);
    const db = openHistoryDatabase(file);
    try {
      expect(tableColumns(db, 'snapshots')).toEqual([
        'id',
        'timestamp',
        'summary_json',
        'ds_channels_json',
        'us_channels_json',
        'is_demo',
        'analysis_meta_json',
        'raw_json',
      ]);
      expect(sqlOf(db, 'snapshots')).toMatch(
        /us_channels_json TEXT NOT NULL, is_demo INTEGER NOT NULL DEFAULT 0, analysis_meta_json TEXT, raw_json TEXT\)$/,
      );
      expect(tableColumns(db, 'events')).toContain('is_demo');
      expect(tableColumns(db, 'speedtest_results')).toEqual(expect.arrayContaining(['server_id', 'is_demo', 'result_url']));
      const counts = countRows(db);
      expect(counts).toMatchObject({ snapshots: 2, events: 1, weather_data: 1, speedtest_results: 1, journal_entries: 2 });
      expect(indexNames(db)).toEqual(
        expect.arrayContaining([
          'idx_snapshots_ts',
          'idx_snapshots_ts_id',
          'idx_events_ts',
          'idx_events_ack',
          'idx_events_type_ts',
          'idx_weather_ts',
          'idx_speedtest_ts',
          'idx_segment_util_ts',
        ]),
      );
      const info = readSchemaInfo(db);
      expect(info.migrationIds).toEqual([...HISTORY_MIGRATION_IDS]);
      expect(info.schemaVersion).toBe('2');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });

  it("accepts the weather module's alternate weather_data shape and only adds the demo flag", () => {
    writeLegacyDatabase(file);
    const db = openHistoryDatabase(file);
    try {
      expect(tableColumns(db, 'weather_data')).toEqual(['timestamp', 'temperature', 'is_demo']);
      expect(db.prepare('SELECT * FROM weather_data').all()).toEqual([{ timestamp: '2025-01-02T10:00:00Z', temperature: 4.5, is_demo: 0 }]);
    } finally {
      db.close();
    }
  });

  it('rewrites offset speedtest timestamps to UTC once and records ts_migrated', () => {
    writeLegacyDatabase(file);
    const db = openHistoryDatabase(file);
    try {
      expect(db.prepare('SELECT timestamp FROM speedtest_results WHERE id = 41').pluck().get()).toBe('2025-01-02T10:04:05Z');
      expect(db.prepare('SELECT key, value FROM speedtest_meta').all()).toEqual([{ key: 'ts_migrated', value: '1' }]);
    } finally {
      db.close();
    }
  });

  it('leaves an unknown community-module table and its rows untouched', () => {
    writeLegacyDatabase(file);
    const db = openHistoryDatabase(file);
    try {
      expect(sqlOf(db, 'fritzbox_cable_readings')).toBe(COMMUNITY_DDL);
      expect(db.prepare('SELECT * FROM fritzbox_cable_readings ORDER BY id').all()).toEqual([
        { id: 1, ts: 'a', value: 1.5 },
        { id: 2, ts: 'b', value: 2.5 },
        { id: 3, ts: 'c', value: 3.5 },
      ]);
    } finally {
      db.close();
    }
  });

  it('keeps orphaned legacy attachments in incident_attachments instead of dropping them', () => {
    const legacy = new Database(file);
    legacy.exec(`
      CREATE TABLE incidents (id INTEGER PRIMARY KEY, date TEXT, title TEXT, description TEXT, created_at TEXT, updated_at TEXT);
      CREATE TABLE incident_attachments (id INTEGER PRIMARY KEY, incident_id INTEGER, filename TEXT, mime_type TEXT, data BLOB, created_at TEXT);
      INSERT INTO incidents VALUES (1, '2025-01-02', 'Outage', NULL, 'c', 'u');
      INSERT INTO incident_attachments VALUES (1, 1, 'a.txt', 'text/plain', x'61', 'c'), (2, 99, 'b.txt', 'text/plain', x'62', 'c');
    `);
    legacy.close();
    const db = openHistoryDatabase(file);
    try {
      expect(db.prepare('SELECT id, entry_id FROM journal_attachments').all()).toEqual([{ id: 1, entry_id: 1 }]);
      expect(countRows(db).incident_attachments).toBe(2);
    } finally {
      db.close();
    }
  });

  it('leaves a hybrid schema (legacy incidents next to journal_entries) unchanged', () => {
    const legacy = new Database(file);
    legacy.exec(`
      CREATE TABLE incidents (id INTEGER PRIMARY KEY, date TEXT, title TEXT, description TEXT, created_at TEXT, updated_at TEXT);
      CREATE TABLE journal_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT NOT NULL, title TEXT NOT NULL,
        description TEXT, icon TEXT, incident_id INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      INSERT INTO incidents VALUES (1, '2025-01-02', 'Old', NULL, 'c', 'u');
      INSERT INTO journal_entries (date, title, created_at, updated_at) VALUES ('2025-02-01', 'New', 'c', 'u');
    `);
    legacy.close();
    const db = openHistoryDatabase(file);
    try {
      expect(tableColumns(db, 'incidents')).toEqual(['id', 'date', 'title', 'description', 'created_at', 'updated_at', 'is_demo']);
      expect(db.prepare('SELECT id, title FROM incidents').all()).toEqual([{ id: 1, title: 'Old' }]);
      expect(db.prepare('SELECT title FROM journal_entries').all()).toEqual([{ title: 'New' }]);
      expect(readSchemaInfo(db).migrationIds).toContain('core-0002-incidents-to-journal');
    } finally {
      db.close();
    }
  });

  it('changes nothing when an upgraded database is opened again', () => {
    writeLegacyDatabase(file);
    openHistoryDatabase(file).close();
    const first = new Database(file, { readonly: true });
    const schema = first.prepare('SELECT * FROM sqlite_master ORDER BY rowid').all();
    const registry = first.prepare('SELECT * FROM _docsight_migrations ORDER BY rowid').all();
    const counts = countRows(first);
    first.close();

    const db = openHistoryDatabase(file);
    try {
      expect(db.prepare('SELECT * FROM sqlite_master ORDER BY rowid').all()).toEqual(schema);
      expect(db.prepare('SELECT * FROM _docsight_migrations ORDER BY rowid').all()).toEqual(registry);
      expect(countRows(db)).toEqual(counts);
    } finally {
      db.close();
    }
  });
});
