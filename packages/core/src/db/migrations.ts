/**
 * DOCSight's migrations for `docsis_history.db` (16 ids) and `connection_monitor.db` (2 ids), in
 * the order a DOCSight process runs them: core at start-up, then each module's storage
 * (speedtest, bqm, bnetz, journal, weather), then segment utilization. Each group is its own
 * `run_migrations` call with its own fast path. Baselines report "not applied" on purpose so their
 * idempotent `CREATE … IF NOT EXISTS` runs once and repairs missing indexes. Tables the migrations
 * do not name (community modules) are never touched.
 */
import type { Database } from 'better-sqlite3';
import {
  BNETZ_SCHEMA,
  BQM_SCHEMA,
  CONNECTION_MONITOR_SCHEMA,
  CORE_SCHEMA,
  DEMO_FLAG_DECLARATION,
  JOURNAL_SCHEMA,
  SEGMENT_SCHEMA,
  SPEEDTEST_ENRICHED_COLUMNS,
  SPEEDTEST_SCHEMA,
  WEATHER_SCHEMA,
} from './schema-ddl.ts';
import { HISTORY_DEMO_TABLES } from './demo-tables.ts';
import { addColumnIfMissing, executeSchema, tableColumns, tableExists } from './table-shape.ts';
import { INCIDENTS_TO_JOURNAL_MIGRATION } from './incidents-to-journal.ts';
import { runMigrations, type Migration } from './migration-runner.ts';
import { normalizeSpeedtestTimestamps } from './speedtest-timestamps.ts';
import { pythonUtcNow } from './python-utc-isoformat.ts';

/** `SCHEMA_VERSION` DOCSight stores in `_docsight_meta`. */
export const DOCSIGHT_SCHEMA_VERSION = 2;

const neverApplied = (): boolean => false;

/** True when every existing table of `tables` already has `is_demo` (absent tables count as done). */
function demoFlagsPresent(db: Database, tables: readonly string[]): boolean {
  return tables.every((table) => !tableExists(db, table) || tableColumns(db, table).includes('is_demo'));
}

function addDemoFlags(db: Database, tables: readonly string[]): void {
  for (const table of tables) addColumnIfMissing(db, table, 'is_demo', DEMO_FLAG_DECLARATION);
}

/** True when `table` is absent or already has all `columns`. */
function columnsPresent(db: Database, table: string, columns: readonly string[]): boolean {
  const existing = tableColumns(db, table);
  return existing.length === 0 || columns.every((column) => existing.includes(column));
}

function baseline(id: string, statements: readonly string[]): Migration {
  return { id, apply: (db) => executeSchema(db, statements), isApplied: neverApplied };
}

function demoFlag(id: string, tables: readonly string[]): Migration {
  return { id, apply: (db) => addDemoFlags(db, tables), isApplied: (db) => demoFlagsPresent(db, tables) };
}

const CORE_MIGRATIONS: readonly Migration[] = [
  baseline('core-0001-baseline', CORE_SCHEMA),
  INCIDENTS_TO_JOURNAL_MIGRATION,
  demoFlag('core-0003-demo-flags', HISTORY_DEMO_TABLES),
  {
    id: 'core-0004-snapshot-columns',
    apply: (db) => {
      addColumnIfMissing(db, 'snapshots', 'analysis_meta_json', 'analysis_meta_json TEXT');
      addColumnIfMissing(db, 'snapshots', 'raw_json', 'raw_json TEXT');
    },
    isApplied: (db) => columnsPresent(db, 'snapshots', ['analysis_meta_json', 'raw_json']),
  },
  {
    id: 'core-0005-meta-version',
    apply: (db) => {
      db.prepare(
        "INSERT INTO _docsight_meta (key, value) VALUES ('schema_version', ?) " + 'ON CONFLICT(key) DO UPDATE SET value=excluded.value',
      ).run(String(DOCSIGHT_SCHEMA_VERSION));
    },
    isApplied: (db) => {
      if (!tableExists(db, '_docsight_meta')) return false;
      const row = db.prepare("SELECT value FROM _docsight_meta WHERE key='schema_version'").get() as { value: unknown } | undefined;
      return row !== undefined && row.value === String(DOCSIGHT_SCHEMA_VERSION);
    },
  },
];

const SPEEDTEST_REQUIRED_COLUMNS = ['server_id', 'server_name', 'is_demo', ...SPEEDTEST_ENRICHED_COLUMNS.map(([name]) => name)];

const SPEEDTEST_MIGRATIONS: readonly Migration[] = [
  baseline('speedtest-0001-baseline', SPEEDTEST_SCHEMA),
  {
    id: 'speedtest-0002-columns',
    apply: (db) => {
      addColumnIfMissing(db, 'speedtest_results', 'server_id', 'server_id INTEGER');
      addColumnIfMissing(db, 'speedtest_results', 'server_name', 'server_name TEXT');
      addColumnIfMissing(db, 'speedtest_results', 'is_demo', DEMO_FLAG_DECLARATION);
      for (const [name, type] of SPEEDTEST_ENRICHED_COLUMNS) {
        addColumnIfMissing(db, 'speedtest_results', name, `${name} ${type}`);
      }
    },
    isApplied: (db) => columnsPresent(db, 'speedtest_results', SPEEDTEST_REQUIRED_COLUMNS),
  },
];

const BQM_MIGRATIONS: readonly Migration[] = [baseline('bqm-0001-baseline', BQM_SCHEMA), demoFlag('bqm-0002-demo-flag', ['bqm_graphs'])];

const BNETZ_MIGRATIONS: readonly Migration[] = [
  baseline('bnetz-0001-baseline', BNETZ_SCHEMA),
  {
    id: 'bnetz-0002-columns',
    apply: (db) => {
      addColumnIfMissing(db, 'bnetz_measurements', 'source', "source TEXT DEFAULT 'upload'");
      addColumnIfMissing(db, 'bnetz_measurements', 'is_demo', DEMO_FLAG_DECLARATION);
    },
    isApplied: (db) => columnsPresent(db, 'bnetz_measurements', ['source', 'is_demo']),
  },
];

const JOURNAL_MIGRATIONS: readonly Migration[] = [
  baseline('journal-0001-baseline', JOURNAL_SCHEMA),
  demoFlag('journal-0002-demo-flags', ['journal_entries', 'incidents']),
];

const WEATHER_MIGRATIONS: readonly Migration[] = [
  baseline('weather-0001-baseline', WEATHER_SCHEMA),
  demoFlag('weather-0002-demo-flag', ['weather_data']),
];

const SEGMENT_MIGRATIONS: readonly Migration[] = [baseline('segment-0001-baseline', SEGMENT_SCHEMA)];

const CONNECTION_MONITOR_MIGRATIONS: readonly Migration[] = [
  baseline('connection-monitor-0001-baseline', CONNECTION_MONITOR_SCHEMA),
  demoFlag('connection-monitor-0002-demo-flag', ['connection_targets']),
];

/** The history database's migration groups, in DOCSight's run order. */
export const HISTORY_MIGRATION_GROUPS: readonly (readonly Migration[])[] = [
  CORE_MIGRATIONS,
  SPEEDTEST_MIGRATIONS,
  BQM_MIGRATIONS,
  BNETZ_MIGRATIONS,
  JOURNAL_MIGRATIONS,
  WEATHER_MIGRATIONS,
  SEGMENT_MIGRATIONS,
];

/** The 16 migration ids of a current `docsis_history.db`, in the order DOCSight records them. */
export const HISTORY_MIGRATION_IDS: readonly string[] = HISTORY_MIGRATION_GROUPS.flat().map((m) => m.id);

/** The 2 migration ids of a current `connection_monitor.db`. */
export const CONNECTION_MONITOR_MIGRATION_IDS: readonly string[] = CONNECTION_MONITOR_MIGRATIONS.map((m) => m.id);

/** What a migration run changed. */
export interface MigrationReport {
  /** Migration ids recorded by this run (empty when the database was current). */
  readonly recorded: string[];
  /** Speedtest rows whose offset timestamps were rewritten to UTC. */
  readonly speedtestTimestampsNormalized: number;
}

/**
 * Brings a `docsis_history.db` connection to DOCSight's current schema, group by group, and runs
 * the speedtest storage's one-time timestamp normalization (which writes `speedtest_meta.ts_migrated`).
 * `now` supplies `applied_at` values (default: current time, Python `isoformat()`).
 */
export function migrateHistoryDatabase(db: Database, now: () => string = pythonUtcNow): MigrationReport {
  const recorded: string[] = [];
  let speedtestTimestampsNormalized = 0;
  for (const group of HISTORY_MIGRATION_GROUPS) {
    recorded.push(...runMigrations(db, group, now));
    if (group === SPEEDTEST_MIGRATIONS) speedtestTimestampsNormalized = normalizeSpeedtestTimestamps(db);
  }
  return { recorded, speedtestTimestampsNormalized };
}

/** Brings a `connection_monitor.db` connection to DOCSight's current schema; returns recorded ids. */
export function migrateConnectionMonitorDatabase(db: Database, now: () => string = pythonUtcNow): string[] {
  return runMigrations(db, CONNECTION_MONITOR_MIGRATIONS, now);
}
