import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, countRowsDetailed } from '../src/db/table-counts.ts';
import { CONNECTION_MONITOR_MIGRATION_IDS, HISTORY_MIGRATION_IDS } from '../src/db/migrations.ts';
import { openConnectionMonitorDatabase, openHistoryDatabase } from '../src/db/open-database.ts';
import { readSchemaInfo } from '../src/db/schema-version.ts';
import { extractFixture, makeTempDir, type ExtractedFixture } from './support/db-fixture-archives.ts';

interface SchemaRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

function schemaRows(db: Database.Database): SchemaRow[] {
  return db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid').all() as SchemaRow[];
}
const normalize = (sql: string | null): string | null => (sql === null ? null : sql.replace(/\s+/g, ' ').trim());
const byName = (rows: SchemaRow[]): Map<string, SchemaRow> => new Map(rows.map((row) => [row.name, row]));
const tableNames = (rows: SchemaRow[]): string[] => rows.filter((r) => r.type === 'table').map((r) => r.name);
const indexNames = (rows: SchemaRow[]): string[] =>
  rows
    .filter((r) => r.type === 'index')
    .map((r) => r.name)
    .sort();

const HISTORY_TABLE_ORDER = [
  '_docsight_migrations',
  '_docsight_meta',
  'snapshots',
  'sqlite_sequence',
  'device_state',
  'events',
  'weather_data',
  'api_tokens',
  'pwa_push_subscriptions',
  'smart_capture_executions',
  'speedtest_results',
  'speedtest_meta',
  'bqm_graphs',
  'bqm_data',
  'bqm_meta',
  'bnetz_measurements',
  'journal_entries',
  'journal_attachments',
  'incidents',
  'segment_utilization',
  'segment_utilization_events',
];

// Row counts from test/fixtures/docsight/README.md.
const EXPECTED_HISTORY_COUNTS = {
  'a-real-1m': {
    _docsight_migrations: 16,
    _docsight_meta: 2,
    snapshots: 2880,
    device_state: 0,
    events: 19,
    weather_data: 744,
    api_tokens: 0,
    pwa_push_subscriptions: 0,
    smart_capture_executions: 0,
    speedtest_results: 77,
    speedtest_meta: 1,
    bqm_graphs: 30,
    bqm_data: 0,
    bqm_meta: 0,
    bnetz_measurements: 1,
    journal_entries: 3,
    journal_attachments: 0,
    incidents: 1,
    segment_utilization: 0,
    segment_utilization_events: 0,
  },
  'b-demo-1m': {
    _docsight_migrations: 16,
    _docsight_meta: 2,
    snapshots: 5,
    device_state: 0,
    events: 1,
    weather_data: 744,
    api_tokens: 0,
    pwa_push_subscriptions: 0,
    smart_capture_executions: 0,
    speedtest_results: 0,
    speedtest_meta: 1,
    bqm_graphs: 0,
    bqm_data: 0,
    bqm_meta: 0,
    bnetz_measurements: 0,
    journal_entries: 1,
    journal_attachments: 0,
    incidents: 0,
    segment_utilization: 0,
    segment_utilization_events: 0,
  },
} as const;
const EXPECTED_MONITOR_COUNTS = {
  _docsight_migrations: 2,
  connection_targets: 3,
  connection_samples: 51840,
  connection_samples_aggregated: 0,
  connection_monitor_pinned_days: 0,
  traceroute_traces: 5,
  traceroute_hops: 57,
};

describe('DOCSight reference archives', () => {
  const fixtures: Partial<Record<'a-real-1m' | 'b-demo-1m', ExtractedFixture>> = {};
  let fresh: ExtractedFixture;
  beforeAll(() => {
    fixtures['a-real-1m'] = extractFixture('a-real-1m');
    fixtures['b-demo-1m'] = extractFixture('b-demo-1m');
    fresh = makeTempDir('fresh');
  });
  afterAll(() => {
    fixtures['a-real-1m']?.cleanup();
    fixtures['b-demo-1m']?.cleanup();
    fresh?.cleanup();
  });
  const fixtureDir = (name: 'a-real-1m' | 'b-demo-1m'): string => fixtures[name]!.dir;

  describe.each([
    ['docsis_history.db', openHistoryDatabase],
    ['connection_monitor.db', openConnectionMonitorDatabase],
  ] as const)('a freshly created %s', (file, open) => {
    let ours: SchemaRow[];
    let theirs: SchemaRow[];
    beforeAll(() => {
      const db = open(path.join(fresh.dir, file));
      ours = schemaRows(db);
      db.close();
      const fixture = new Database(path.join(fixtureDir('a-real-1m'), file), { readonly: true });
      theirs = schemaRows(fixture);
      fixture.close();
    });

    it('has the same tables in the same creation order as DOCSight', () => {
      expect(tableNames(ours)).toEqual(tableNames(theirs));
      if (file === 'docsis_history.db') expect(tableNames(ours)).toEqual(HISTORY_TABLE_ORDER);
    });

    it('has the same indexes as DOCSight', () => {
      expect(indexNames(ours)).toEqual(indexNames(theirs));
    });

    it('stores the same DDL as DOCSight, table for table and index for index (whitespace-normalized)', () => {
      const theirsByName = byName(theirs);
      for (const row of ours) {
        expect({ name: row.name, sql: normalize(row.sql) }).toEqual({
          name: row.name,
          sql: normalize(theirsByName.get(row.name)?.sql ?? null),
        });
      }
    });

    it('stores DDL byte-identical to DOCSight', () => {
      const theirsByName = byName(theirs);
      const differing = ours.filter((row) => theirsByName.get(row.name)?.sql !== row.sql).map((r) => r.name);
      expect(differing).toEqual([]);
    });
  });

  describe.each(['a-real-1m', 'b-demo-1m'] as const)('archive %s', (name) => {
    it('opens docsis_history.db, migrates it without change and reports the README row counts', () => {
      const file = path.join(fixtureDir(name), 'docsis_history.db');
      const before = new Database(file, { readonly: true });
      const schemaBefore = schemaRows(before);
      const infoBefore = readSchemaInfo(before);
      before.close();

      const db = openHistoryDatabase(file);
      try {
        expect(schemaRows(db)).toEqual(schemaBefore);
        expect(readSchemaInfo(db)).toEqual(infoBefore);
        expect(infoBefore.migrationIds.toSorted()).toEqual([...HISTORY_MIGRATION_IDS].sort());
        expect(infoBefore.schemaVersion).toBe('2');
        expect(infoBefore.tzMigrated).toMatch(/^UTC\|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        const counts = countRows(db);
        expect(counts).toEqual(EXPECTED_HISTORY_COUNTS[name]);
        expect(Object.keys(counts)).toEqual(Object.keys(EXPECTED_HISTORY_COUNTS[name]));
        expect(countRowsDetailed(db).weather_data).toEqual({
          rows: 744,
          isDemo: name === 'b-demo-1m' ? 744 : 0,
        });
      } finally {
        db.close();
      }
    });

    it('opens connection_monitor.db, migrates it without change and reports the README row counts', () => {
      const file = path.join(fixtureDir(name), 'connection_monitor.db');
      const before = new Database(file, { readonly: true });
      const schemaBefore = schemaRows(before);
      const idsBefore = readSchemaInfo(before).migrationIds;
      before.close();

      const db = openConnectionMonitorDatabase(file);
      try {
        expect(schemaRows(db)).toEqual(schemaBefore);
        expect(readSchemaInfo(db).migrationIds).toEqual(idsBefore);
        expect(idsBefore.toSorted()).toEqual([...CONNECTION_MONITOR_MIGRATION_IDS].sort());
        expect(countRows(db)).toEqual(EXPECTED_MONITOR_COUNTS);
        const detailed = countRowsDetailed(db);
        const demo = name === 'b-demo-1m';
        expect(detailed.connection_targets).toEqual({ rows: 3, isDemo: demo ? 3 : 0 });
        expect(detailed.traceroute_traces).toEqual({ rows: 5, isDemo: demo ? 5 : 0 });
        expect(detailed.connection_samples).toEqual({ rows: 51840, isDemo: null });
      } finally {
        db.close();
      }
    });
  });
});
