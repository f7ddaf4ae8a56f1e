/**
 * Crash safety of restore: before the intent file the live data dir never changes; after it, an
 * interrupted publish is completed by recoverInterruptedRestore.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LockerError } from '../src/errors.ts';
import { restoreBackup } from '../src/archive/restore/restore-backup.ts';
import { recoverInterruptedRestore } from '../src/archive/restore/recover-interrupted-restore.ts';
import { RESTORE_INTENT_FILE } from '../src/data-dir-layout.ts';
import {
  buildTarGz,
  cleanupTempDirs,
  makeLiveDataDir,
  makeTempDir,
  metaText,
  readSnapshotRows,
  restoreWorkFiles,
  snapshotDbBytes,
  snapshotDir,
  writeSnapshotDb,
} from './support/restore-support.ts';

afterEach(cleanupTempDirs);

const require = createRequire(import.meta.url);

/** A Fernet key (32 random bytes, urlsafe base64): an archive's key must be one to be restored. */
const RESTORED_KEY = 'Zx8bqXf3rM2a1Kc9VtQpL0sWnE4yHj7uOiG5dR6TbCk=';

/** An archive of a new instance: both databases, config.json and .config_key (no session or auth files). */
async function newInstanceArchive(): Promise<Buffer> {
  return buildTarGz([
    { name: 'backup_meta.json', content: metaText() },
    { name: 'docsis_history.db', content: snapshotDbBytes(['restored'], { wal: true }) },
    { name: 'connection_monitor.db', content: snapshotDbBytes(['restored-cm']) },
    { name: 'config.json', content: '{"modem_type":"restored"}' },
    { name: '.config_key', content: RESTORED_KEY },
  ]);
}

class SimulatedCrash extends Error {}

/** What the data dir must hold once the new-instance archive is fully restored. */
function expectNewInstance(dataDir: string): void {
  expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).toEqual(['restored']);
  expect(readSnapshotRows(path.join(dataDir, 'connection_monitor.db'))).toEqual(['restored-cm']);
  expect(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')).toBe('{"modem_type":"restored"}');
  expect(fs.readFileSync(path.join(dataDir, '.config_key'), 'utf8')).toBe(RESTORED_KEY);
  expect(fs.existsSync(path.join(dataDir, '.session_key'))).toBe(false);
  expect(fs.existsSync(path.join(dataDir, '.auth_state'))).toBe(false);
  expect(fs.existsSync(path.join(dataDir, 'docsis_history.db-wal'))).toBe(false);
  expect(fs.readFileSync(path.join(dataDir, 'modules', 'theme.css'), 'utf8')).toBe('body{}');
  expect(restoreWorkFiles(dataDir)).toEqual([]);
}

describe('restore crash safety', () => {
  it('makes the data dir the archive instance: files the archive lacks are removed', async () => {
    const dataDir = makeLiveDataDir();
    const result = await restoreBackup({ source: await newInstanceArchive(), dataDir });
    expect(result.restoredFiles).toEqual(['docsis_history.db', 'connection_monitor.db', 'config.json', '.config_key']);
    expect(result.removedFiles).toEqual(['.session_key', '.auth_state']);
    expectNewInstance(dataDir);
  });

  it('completes a publish that crashed between two renames when the data dir is next opened', async () => {
    const dataDir = makeLiveDataDir();
    let renames = 0;
    const error = await restoreBackup({
      source: await newInstanceArchive(),
      dataDir,
      beforePublishStep: (step) => {
        if (step.kind === 'rename' && ++renames === 2) throw new SimulatedCrash('power cut');
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockerError);
    expect((error as LockerError).code).toBe('DATA_DIR_UNUSABLE');
    expect((error as LockerError).cause).toBeInstanceOf(SimulatedCrash);

    // Half published: the history database is new, the rest is old, and the intent is on disk.
    expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).toEqual(['restored']);
    expect(readSnapshotRows(path.join(dataDir, 'connection_monitor.db'))).toEqual(['live-cm']);
    expect(fs.existsSync(path.join(dataDir, RESTORE_INTENT_FILE))).toBe(true);

    const recovery = await recoverInterruptedRestore(dataDir);
    expect(recovery).toEqual({ rolledForward: true, removedWorkFiles: [] });
    expectNewInstance(dataDir);
    expect(await recoverInterruptedRestore(dataDir)).toEqual({ rolledForward: false, removedWorkFiles: [] });
  });

  it('completes a publish that crashed while removing files the archive lacks', async () => {
    const dataDir = makeLiveDataDir();
    await restoreBackup({
      source: await newInstanceArchive(),
      dataDir,
      beforePublishStep: (step) => {
        if (step.kind === 'remove' && step.name === '.auth_state') throw new SimulatedCrash('power cut');
      },
    }).catch(() => undefined);
    expect(fs.existsSync(path.join(dataDir, '.auth_state'))).toBe(true);
    expect((await recoverInterruptedRestore(dataDir)).rolledForward).toBe(true);
    expectNewInstance(dataDir);
  });

  it('a new restore first completes an interrupted one', async () => {
    const dataDir = makeLiveDataDir();
    await restoreBackup({
      source: await newInstanceArchive(),
      dataDir,
      beforePublishStep: (step) => {
        if (step.kind === 'finish') throw new SimulatedCrash('power cut');
      },
    }).catch(() => undefined);
    expect(fs.existsSync(path.join(dataDir, RESTORE_INTENT_FILE))).toBe(true);
    const archive = await buildTarGz([
      { name: 'backup_meta.json', content: metaText() },
      { name: 'config.json', content: '{"demo_mode":true}' },
    ]);
    const result = await restoreBackup({ source: archive, dataDir });
    expect(result).toMatchObject({ restoredFiles: ['config.json'], configured: true });
    expect(result.removedFiles).toEqual(['docsis_history.db', 'connection_monitor.db', '.config_key']);
    expect(fs.readdirSync(dataDir).sort()).toEqual(['config.json', 'modules']);
  });

  it('leaves the data dir byte-identical when the pre-restore hook fails', async () => {
    const dataDir = makeLiveDataDir();
    // The hook runs while the live databases are held (live-database-lock.ts): taking them opens
    // them read-write, and SQLite drops the fixture's stale `-wal` (garbage, no frames) when the
    // hold ends. Every data file itself stays byte-identical.
    const withoutSidecars = (snapshot: Record<string, string>) =>
      Object.fromEntries(Object.entries(snapshot).filter(([name]) => !/-(wal|shm)$/.test(name)));
    const before = withoutSidecars(snapshotDir(dataDir));
    const error = await restoreBackup({
      source: await newInstanceArchive(),
      dataDir,
      beforePublish: async () => {
        // Everything is staged and verified at this point; the live files are still untouched.
        expect(restoreWorkFiles(dataDir)).toHaveLength(4);
        throw new SimulatedCrash('pre-restore backup failed');
      },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SimulatedCrash);
    expect(withoutSidecars(snapshotDir(dataDir))).toEqual(before);
  });

  it('finishes a restore killed while it wrote a database in place, and no app can use the torn file meanwhile', async () => {
    const dataDir = makeLiveDataDir();
    const live = path.join(dataDir, 'docsis_history.db');
    const stagedName = '.evidence-locker-restore-docsis_history.db.0123abcd.tmp';
    const staged = path.join(dataDir, stagedName);
    const stagedBytes = writeSnapshotDb(staged, ['restored', 'rows'], { wal: false });
    // What a kill in the middle of overwriteDatabaseInPlace leaves: the header poisoned, half the
    // new pages written over the old file, the intent committed.
    const torn = fs.openSync(live, 'r+');
    fs.writeSync(torn, Buffer.from([0xff, 0xff]), 0, 2, 18);
    fs.writeSync(torn, stagedBytes, 100, Math.floor(stagedBytes.length / 2), 100);
    fs.closeSync(torn);
    fs.writeFileSync(
      path.join(dataDir, RESTORE_INTENT_FILE),
      JSON.stringify({ version: 1, renames: [{ from: stagedName, to: 'docsis_history.db', inPlace: true }], removals: [] }),
    );
    const other = new Database(live, { fileMustExist: true });
    expect(() => other.prepare('SELECT count(*) FROM snapshots').get()).toThrow(expect.objectContaining({ code: 'SQLITE_NOTADB' }));
    other.close();

    const recovery = await recoverInterruptedRestore(dataDir);

    expect(recovery.rolledForward).toBe(true);
    expect(fs.readFileSync(live).equals(stagedBytes)).toBe(true);
    expect(readSnapshotRows(live)).toEqual(['restored', 'rows']);
    expect(fs.existsSync(staged)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, RESTORE_INTENT_FILE))).toBe(false);
  });

  it('removes the staged files of a restore that crashed before its intent', async () => {
    const dataDir = makeLiveDataDir();
    const before = snapshotDir(dataDir);
    fs.writeFileSync(path.join(dataDir, '.evidence-locker-restore-docsis_history.db.0123abcd.tmp'), 'half written');
    fs.writeFileSync(path.join(dataDir, `${RESTORE_INTENT_FILE}.4242.tmp`), '{"version":1,');
    const recovery = await recoverInterruptedRestore(dataDir);
    expect(recovery.rolledForward).toBe(false);
    expect(recovery.removedWorkFiles.sort()).toEqual([
      '.evidence-locker-restore-docsis_history.db.0123abcd.tmp',
      `${RESTORE_INTENT_FILE}.4242.tmp`,
    ]);
    expect(snapshotDir(dataDir)).toEqual(before);
  });

  it('refuses an intent file that names files outside the data dir', async () => {
    const dataDir = makeLiveDataDir();
    fs.writeFileSync(
      path.join(dataDir, RESTORE_INTENT_FILE),
      JSON.stringify({ version: 1, renames: [{ from: '../../etc/passwd', to: 'config.json' }], removals: [] }),
    );
    const before = snapshotDir(dataDir);
    const error = await recoverInterruptedRestore(dataDir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockerError);
    expect((error as LockerError).code).toBe('DATA_DIR_UNUSABLE');
    expect(snapshotDir(dataDir)).toEqual(before);
  });

  it('creates a missing data dir and restores into it', async () => {
    const dataDir = path.join(makeTempDir('parent'), 'nested', 'data');
    const result = await restoreBackup({ source: await newInstanceArchive(), dataDir });
    expect(result.removedFiles).toEqual([]);
    expect(fs.readdirSync(dataDir).sort()).toEqual(['.config_key', 'config.json', 'connection_monitor.db', 'docsis_history.db']);
  });

  it('runs the migrate hook after publishing', async () => {
    const dataDir = makeLiveDataDir();
    let seen: string[] = [];
    await restoreBackup({
      source: await newInstanceArchive(),
      dataDir,
      migrate: async (dir) => {
        seen = readSnapshotRows(path.join(dir, 'docsis_history.db'));
      },
    });
    expect(seen).toEqual(['restored']);
  });

  it('rolls back the hot journal of a migration killed after the publish, so read-only openers can read again', () => {
    const dataDir = makeLiveDataDir();
    const database = path.join(dataDir, 'docsis_history.db');
    fs.rmSync(`${database}-wal`, { force: true });
    // A writer in rollback-journal mode (as a restored database is while it is migrated) killed
    // mid-transaction, after its cache spilled changed pages into the file.
    const writer = spawnSync(
      process.execPath,
      [
        '-e',
        `const Database = require('better-sqlite3');
         const db = new Database(${JSON.stringify(database)});
         db.pragma('cache_size = 1');
         db.exec('BEGIN');
         const insert = db.prepare('INSERT INTO snapshots (timestamp, summary_json) VALUES (?, ?)');
         for (let i = 0; i < 2000; i += 1) insert.run('t' + i, 'x'.repeat(500));
         process.kill(process.pid, 'SIGKILL');`,
      ],
      { cwd: path.dirname(require.resolve('better-sqlite3/package.json')) },
    );
    expect(writer.signal).toBe('SIGKILL');
    expect(fs.existsSync(`${database}-journal`)).toBe(true);
    expect(() => new Database(database, { readonly: true }).prepare('SELECT count(*) FROM snapshots').get()).toThrow();

    return recoverInterruptedRestore(dataDir).then(() => {
      expect(fs.existsSync(`${database}-journal`)).toBe(false);
      expect(readSnapshotRows(database)).toEqual(['live']);
    });
  });
});
