/**
 * Test restores (issue 19's proof of restorability) through core's public API: DOCSight's own
 * reference archives and backups of seeded instances (plain and sealed) restore into a scratch
 * directory in the backup directory, migrate, pass the integrity check and match their meta's
 * counts; a corrupt database, counts that disagree with the meta, a missing key and a full disk
 * each fail with their own code. Every case leaves the backup directory as it found it (the scratch
 * directory removed) and the live data directory byte-identical.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  createBackup,
  generateSealIdentity,
  seedDataDir,
  stopSqliteWorker,
  testRestore,
  TEST_RESTORE_PREFIX,
  type CreateBackupResult,
  type SealIdentity,
} from '../src/index.ts';
import { docsightFixture } from '@evidence-locker/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lockerErrorOf } from './support/locker-error-of.ts';
import { buildTarGz, cleanupTempDirs, makeTempDir, metaText, snapshotDir } from './support/restore-support.ts';

const NOW = new Date('2026-11-21T07:00:00Z');

let liveDir: string;
let liveBefore: Record<string, string>;
let owner: SealIdentity;

/** A backup directory holding a copy of `archive` (a fixture is read-only where it lies). */
function backupDirWith(archive: string, name = path.basename(archive)): { backupDir: string; fileName: string } {
  const backupDir = makeTempDir('test-restore-backups');
  fs.copyFileSync(archive, path.join(backupDir, name));
  return { backupDir, fileName: name };
}

/** A backup of the live seeded instance into a fresh backup directory. */
function backupOfLive(seal?: Parameters<typeof createBackup>[0]['seal']): Promise<CreateBackupResult> {
  return createBackup({
    dataDir: liveDir,
    destination: { kind: 'directory', backupDir: makeTempDir('test-restore-backups') },
    trigger: 'scheduled',
    now: NOW,
    ...(seal === undefined ? {} : { seal }),
  });
}

/** What the backup directory holds besides the backups: nothing, after any test restore. */
function leftovers(backupDir: string): string[] {
  return fs.readdirSync(backupDir).filter((name) => name.startsWith('.'));
}

beforeAll(async () => {
  liveDir = makeTempDir('test-restore-live');
  seedDataDir({ dataDir: liveDir, mode: 'user', historyDays: 20, connectionMonitorDays: 0.05, now: NOW, seed: 19 });
  fs.writeFileSync(path.join(liveDir, 'config.json'), JSON.stringify({ modem_type: 'fritzbox', poll_interval: 900 }, null, 2));
  fs.writeFileSync(path.join(liveDir, '.config_key'), `${Buffer.alloc(32, 19).toString('base64url')}=`);
  liveBefore = snapshotDir(liveDir);
  owner = await generateSealIdentity();
});

afterEach(() => {
  vi.restoreAllMocks();
  // The live data directory is never touched, whatever a test restore did.
  expect(snapshotDir(liveDir)).toEqual(liveBefore);
});

afterAll(async () => {
  cleanupTempDirs();
  await stopSqliteWorker();
});

describe('testRestore of DOCSight reference archives', () => {
  it.each(['a-real-1m', 'b-demo-1m'] as const)('restores %s, migrates it and matches every count of its meta', async (name) => {
    const fixture = docsightFixture(name);
    const expected = JSON.parse(fs.readFileSync(fixture.expected, 'utf8')) as { 'backup_meta.json': { tables: Record<string, number> } };
    const { backupDir, fileName } = backupDirWith(fixture.archive);
    const result = await testRestore(backupDir, fileName, { dataDir: liveDir });
    expect(result.fileName).toBe(fileName);
    expect(result.tablesCompared).toBe(Object.keys(expected['backup_meta.json'].tables).length);
    expect(result.databasesChecked).toEqual(expect.arrayContaining(['docsis_history.db', 'connection_monitor.db']));
    expect(result.madeAt?.toISOString().slice(0, 19)).toBe(name === 'a-real-1m' ? '2026-11-26T07:07:13' : '2026-11-26T07:07:26');
    expect(fs.readdirSync(backupDir)).toEqual([fileName]);
  });
});

describe('testRestore of backups this product wrote', () => {
  it('restores a scheduled backup of a seeded instance and compares both databases with the meta', async () => {
    const backup = await backupOfLive();
    const result = await testRestore(path.dirname(backup.path!), backup.fileName, { dataDir: liveDir });
    // Every table of both databases, as the meta counts them.
    expect(result.tablesCompared).toBeGreaterThan(20);
    expect(result.configured).toBe(true);
    expect(leftovers(path.dirname(backup.path!))).toEqual([]);
  });

  it('opens a sealed backup with the instance key, and refuses it without one (SEAL_KEY_REQUIRED)', async () => {
    const backup = await backupOfLive({ recipients: [owner.recipient] });
    const backupDir = path.dirname(backup.path!);
    const result = await testRestore(backupDir, backup.fileName, { key: { identities: [owner.identity] } });
    expect(result.tablesCompared).toBeGreaterThan(20);
    const refused = await lockerErrorOf(testRestore(backupDir, backup.fileName));
    expect(refused.code).toBe('SEAL_KEY_REQUIRED');
    expect(leftovers(backupDir)).toEqual([]);
  });
});

describe('testRestore failures', () => {
  /** A DOCSight-style archive (no checksums) of one history database with `rows` snapshots. */
  async function archiveOf(dbBytes: Buffer, meta: Record<string, unknown>): Promise<{ backupDir: string; fileName: string }> {
    const backupDir = makeTempDir('test-restore-backups');
    const fileName = 'docsight_backup_2026-11-20_070000.tar.gz';
    const archive = await buildTarGz([
      { name: 'backup_meta.json', content: metaText(meta) },
      { name: 'docsis_history.db', content: dbBytes },
    ]);
    fs.writeFileSync(path.join(backupDir, fileName), archive);
    return { backupDir, fileName };
  }

  /** A history database with `rows` snapshots, big enough to span many pages. */
  function historyDb(rows: number): Buffer {
    const file = path.join(makeTempDir('test-restore-db'), 'docsis_history.db');
    const db = new Database(file);
    db.exec('CREATE TABLE snapshots (id INTEGER PRIMARY KEY, timestamp TEXT, summary_json TEXT, is_demo INTEGER DEFAULT 0)');
    const insert = db.prepare('INSERT INTO snapshots (timestamp, summary_json) VALUES (?, ?)');
    for (let index = 0; index < rows; index += 1) insert.run(`2026-11-20T07:00:${String(index % 60).padStart(2, '0')}Z`, 'x'.repeat(400));
    db.close();
    return fs.readFileSync(file);
  }

  it('fails with DATABASE_CORRUPT when a database in the archive is damaged', async () => {
    const bytes = historyDb(200);
    // Page 3 (a leaf of the snapshots table) overwritten: the header still says SQLite.
    bytes.fill(0xa5, 4096 * 2, 4096 * 2 + 600);
    const { backupDir, fileName } = await archiveOf(bytes, { tables: { snapshots: 200 } });
    const error = await lockerErrorOf(testRestore(backupDir, fileName, { dataDir: liveDir }));
    expect(error.code).toBe('DATABASE_CORRUPT');
    expect(leftovers(backupDir)).toEqual([]);
  });

  it('fails with TEST_RESTORE_COUNTS_DIFFER when a table holds other counts than the meta says', async () => {
    const { backupDir, fileName } = await archiveOf(historyDb(3), { tables: { snapshots: 5 } });
    const error = await lockerErrorOf(testRestore(backupDir, fileName, { dataDir: liveDir }));
    expect(error.code).toBe('TEST_RESTORE_COUNTS_DIFFER');
    expect(error.details).toMatchObject({ table: 'snapshots', expected: 5, actual: 3, database: 'docsis_history.db' });
    expect(error.message).toContain('its meta counts 5 rows in snapshots of docsis_history.db, but it holds 3');
    expect(leftovers(backupDir)).toEqual([]);
  });

  it('fails with TEST_RESTORE_COUNTS_DIFFER when a table the meta counts is missing', async () => {
    const { backupDir, fileName } = await archiveOf(historyDb(3), { tables: { snapshots: 3, events: 0 } });
    const error = await lockerErrorOf(testRestore(backupDir, fileName));
    expect(error.code).toBe('TEST_RESTORE_COUNTS_DIFFER');
    expect(error.message).toContain('docsis_history.db has no table events');
  });

  it('refuses with DISK_FULL, naming the backup directory, before writing anything when the space is short', async () => {
    const { backupDir, fileName } = backupDirWith(docsightFixture('a-real-1m').archive);
    vi.spyOn(fs.promises, 'statfs').mockResolvedValue({ bavail: 10 * 1024 * 1024, bsize: 1 } as fs.StatsFs);
    const error = await lockerErrorOf(testRestore(backupDir, fileName));
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toContain(`Not enough free space for the test restore in ${backupDir}`);
    expect(fs.readdirSync(backupDir)).toEqual([fileName]);
  });

  it('refuses a sealed backup with DISK_FULL, naming the backup directory, when its members do not fit', async () => {
    const backup = await backupOfLive({ recipients: [owner.recipient] });
    const backupDir = path.dirname(backup.path!);
    // A sealed archive tells its size only as it is opened: the preflight passes, the first member does not fit.
    vi.spyOn(fs.promises, 'statfs').mockResolvedValue({ bavail: 32 * 1024 * 1024 + 4096, bsize: 1 } as fs.StatsFs);
    const error = await lockerErrorOf(testRestore(backupDir, backup.fileName, { key: { identities: [owner.identity] } }));
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toContain(`Not enough free space for the test restore in ${backupDir}`);
    expect(leftovers(backupDir)).toEqual([]);
  });

  it('refuses a backup directory inside the data directory (BACKUP_PATH_IN_DATA_DIR)', async () => {
    const dataDir = makeTempDir('test-restore-other-live');
    const inside = path.join(dataDir, 'backups');
    fs.mkdirSync(inside);
    fs.copyFileSync(docsightFixture('b-demo-1m').archive, path.join(inside, 'docsight_backup_2026-11-26_070726.tar.gz'));
    const refused = await lockerErrorOf(testRestore(inside, 'docsight_backup_2026-11-26_070726.tar.gz', { dataDir }));
    expect(refused.code).toBe('BACKUP_PATH_IN_DATA_DIR');
    expect(fs.readdirSync(inside)).toEqual(['docsight_backup_2026-11-26_070726.tar.gz']);
  });

  it('says BACKUP_NOT_FOUND and BACKUP_NAME_INVALID for a missing backup and a name that is none', async () => {
    const backupDir = makeTempDir('test-restore-backups');
    expect((await lockerErrorOf(testRestore(backupDir, 'docsight_backup_2026-11-20_070000.tar.gz'))).code).toBe('BACKUP_NOT_FOUND');
    expect((await lockerErrorOf(testRestore(backupDir, '../config.json'))).code).toBe('BACKUP_NAME_INVALID');
    expect(TEST_RESTORE_PREFIX).toBe('.evidence-locker-test-restore-');
  });
});
