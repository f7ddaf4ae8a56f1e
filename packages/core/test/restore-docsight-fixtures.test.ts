/**
 * The two archives made by DOCSight's own code: both validate and restore, with the row counts of
 * the fixtures' README, and the WAL-flagged history database leaves no `-wal`/`-shm` or work file.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreBackup } from '../src/archive/restore/restore-backup.ts';
import { validateArchiveFile } from '../src/archive/read/validate-archive.ts';
import type { ArchiveProgress } from '../src/archive/read/read-archive.ts';
import { FIXTURE_A, FIXTURE_B, cleanupTempDirs, makeLiveDataDir, makeTempDir, sha256 } from './support/restore-support.ts';

afterEach(cleanupTempDirs);

// Read-write connections: a read-only one to a WAL-mode file leaves -wal/-shm files behind.
function rowCounts(file: string): Record<string, number> {
  const db = new Database(file, { fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      name: string;
    }[];
    return Object.fromEntries(
      tables.map(({ name }) => [name, (db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n]),
    );
  } finally {
    db.close();
  }
}

function demoRows(file: string, table: string): number {
  const db = new Database(file, { fileMustExist: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM "${table}" WHERE is_demo = 1`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const MEMBER_ORDER_A = [
  'backup_meta.json',
  'connection_monitor.db',
  'docsis_history.db',
  'config.json',
  '.config_key',
  '.session_key',
  '.auth_state',
];
const MEMBER_ORDER_B = [
  'backup_meta.json',
  'docsis_history.db',
  'connection_monitor.db',
  'config.json',
  '.config_key',
  '.session_key',
  '.auth_state',
];

const CONNECTION_MONITOR_ROWS = {
  connection_samples: 51_840,
  connection_targets: 3,
  traceroute_traces: 5,
  traceroute_hops: 57,
  _docsight_migrations: 2,
  connection_monitor_pinned_days: 0,
  connection_samples_aggregated: 0,
};

/** Entries of `dir` that are neither data files nor `modules/` (what a restore must not leave). */
function strayEntries(dir: string): string[] {
  const expected = new Set([
    'docsis_history.db',
    'connection_monitor.db',
    'config.json',
    '.config_key',
    '.session_key',
    '.auth_state',
    'modules',
  ]);
  return fs.readdirSync(dir).filter((name) => !expected.has(name));
}

describe('DOCSight fixture archives', () => {
  it('validates the real-data archive with its meta, member order and digests', async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(path.dirname(FIXTURE_A), 'expected.json'), 'utf8')) as {
      'backup_meta.json': unknown;
    };
    const progress: ArchiveProgress[] = [];
    const result = await validateArchiveFile(FIXTURE_A, { onProgress: (event) => progress.push(event) });
    expect(result.meta).toEqual(expected['backup_meta.json']);
    expect(result.files).toEqual(MEMBER_ORDER_A);
    expect(result.members.map((member) => [member.name, member.size])).toEqual([
      ['connection_monitor.db', 2_691_072],
      ['docsis_history.db', 38_424_576],
      ['config.json', 416],
      ['.config_key', 44],
      ['.session_key', 32],
      ['.auth_state', 64],
    ]);
    expect(result).toMatchObject({ has_database: true, has_config: true, warnings: [] });
    expect(progress.at(-1)).toEqual({ phase: 'read', bytesDone: 3_021_406, bytesTotal: 3_021_406 });
    expect(progress.length).toBeGreaterThan(1);
  });

  it('restores the real-data archive with the README row counts and no WAL files', async () => {
    const dataDir = makeTempDir('fixture-a');
    const result = await restoreBackup({ source: fs.createReadStream(FIXTURE_A), dataDir });
    expect(result.restoredFiles).toEqual(MEMBER_ORDER_A.slice(1));
    expect(result).toMatchObject({ removedFiles: [], warnings: [], configured: true });
    expect(result.meta.tables?.['snapshots']).toBe(2880);

    expect(strayEntries(dataDir)).toEqual([]);
    const history = path.join(dataDir, 'docsis_history.db');
    // Migrated after publishing: back in WAL mode as DOCSight runs it, with the -wal/-shm closed away.
    expect([...fs.readFileSync(history).subarray(18, 20)]).toEqual([2, 2]);
    expect(rowCounts(history)).toEqual({
      _docsight_meta: 2,
      _docsight_migrations: 16,
      api_tokens: 0,
      bnetz_measurements: 1,
      bqm_data: 0,
      bqm_graphs: 30,
      bqm_meta: 0,
      device_state: 0,
      events: 19,
      incidents: 1,
      journal_attachments: 0,
      journal_entries: 3,
      pwa_push_subscriptions: 0,
      segment_utilization: 0,
      segment_utilization_events: 0,
      smart_capture_executions: 0,
      snapshots: 2880,
      speedtest_meta: 1,
      speedtest_results: 77,
      weather_data: 744,
    });
    expect(rowCounts(path.join(dataDir, 'connection_monitor.db'))).toEqual(CONNECTION_MONITOR_ROWS);
    const config = JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config['modem_type']).toBe('fritzbox');
    expect(fs.readFileSync(path.join(dataDir, '.config_key'))).toHaveLength(44);
    expect(fs.readFileSync(path.join(dataDir, '.session_key'))).toHaveLength(32);
    for (const name of MEMBER_ORDER_A.slice(1)) {
      expect(fs.statSync(path.join(dataDir, name)).mode & 0o777).toBe(0o600);
    }
  });

  it('restores the demo archive over a live instance, with demo rows filtered as DOCSight left them', async () => {
    const dataDir = makeLiveDataDir();
    const result = await restoreBackup({ source: fs.createReadStream(FIXTURE_B), dataDir });
    expect(result.restoredFiles).toEqual(MEMBER_ORDER_B.slice(1));
    expect(result).toMatchObject({ removedFiles: [], configured: true });

    expect(strayEntries(dataDir)).toEqual([]);
    expect(fs.readFileSync(path.join(dataDir, 'modules', 'theme.css'), 'utf8')).toBe('body{}');
    const history = path.join(dataDir, 'docsis_history.db');
    const counts = rowCounts(history);
    expect(counts).toMatchObject({
      snapshots: 5,
      events: 1,
      journal_entries: 1,
      incidents: 0,
      speedtest_results: 0,
      bqm_graphs: 0,
      bnetz_measurements: 0,
      weather_data: 744,
      speedtest_meta: 1,
      _docsight_meta: 2,
      _docsight_migrations: 16,
    });
    expect(demoRows(history, 'snapshots')).toBe(0);
    expect(demoRows(history, 'weather_data')).toBe(744);
    const monitor = path.join(dataDir, 'connection_monitor.db');
    expect(rowCounts(monitor)).toEqual(CONNECTION_MONITOR_ROWS);
    expect(demoRows(monitor, 'connection_targets')).toBe(3);
    const config = JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ demo_mode: true });
    expect(strayEntries(dataDir)).toEqual([]);
  });

  it('restores each member byte for byte, except the WAL flag of the history database', async () => {
    const validation = await validateArchiveFile(FIXTURE_B);
    const dataDir = makeTempDir('fixture-b');
    await restoreBackup({ source: fs.createReadStream(FIXTURE_B), dataDir, migrate: async () => undefined });
    for (const member of validation.members) {
      const bytes = fs.readFileSync(path.join(dataDir, member.name));
      if (member.name === 'docsis_history.db') {
        expect([bytes[18], bytes[19]]).toEqual([1, 1]);
        bytes[18] = 2;
        bytes[19] = 2;
      }
      expect(sha256(bytes)).toBe(member.sha256);
    }
  });
});
