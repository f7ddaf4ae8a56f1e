/**
 * DOCSight's own acceptance tests for validate and restore (docs/docsight-compatibility.md, A9:
 * `TestValidateBackup`, `TestRestore`, `test_backup_restore_verified.py`), each as the behaviour it
 * shows. Archives are built DOCSight-style: Python's tarfile (PAX, float mtimes) with a WAL-flagged
 * history database.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreBackup } from '../src/archive/restore/restore-backup.ts';
import { validateArchive, validateArchiveFile } from '../src/archive/read/validate-archive.ts';
import type { PublishStep } from '../src/archive/restore/restore-intent.ts';
import {
  buildPythonArchive,
  buildTarGz,
  cleanupTempDirs,
  makeTempDir,
  metaText,
  readSnapshotRows,
  restoreWorkFiles,
  sha256,
  snapshotDbBytes,
  writeSnapshotDb,
} from './support/restore-support.ts';
import { lockerErrorOf } from './support/locker-error-of.ts';

afterEach(cleanupTempDirs);

/**
 * DOCSight's test_backup.py fixture, archived as create_backup_to_file would: a WAL-mode history
 * database with one (non-demo) snapshot, config.json and the three key files.
 */
function docsightStyleArchive(): string {
  const source = makeTempDir('source');
  writeSnapshotDb(path.join(source, 'docsis_history.db'), ['user row'], { wal: true });
  fs.writeFileSync(path.join(source, 'config.json'), JSON.stringify({ modem_type: 'fritzbox', poll_interval: 900 }, null, 2));
  fs.writeFileSync(path.join(source, '.config_key'), 'Zx8bqXf3rM2a1Kc9VtQpL0sWnE4yHj7uOiG5dR6TbCk=');
  fs.writeFileSync(path.join(source, '.session_key'), 'session-secret');
  fs.writeFileSync(path.join(source, '.auth_state'), 'auth-state-fingerprint');
  fs.writeFileSync(
    path.join(source, 'backup_meta.json'),
    metaText({ timestamp: '2026-11-26T07:02:50.446978+00:00', app_version: 'v2026-08-21.1', tables: { snapshots: 1 } }),
  );
  const target = path.join(makeTempDir('backups'), 'docsight_backup_2026-11-26_070250.tar.gz');
  const names = ['backup_meta.json', 'docsis_history.db', 'config.json', '.config_key', '.session_key', '.auth_state'];
  buildPythonArchive(
    target,
    names.map((name) => [name, path.join(source, name)]),
  );
  return target;
}

describe('validate (DOCSight TestValidateBackup)', () => {
  it('accepts a DOCSight archive from a file and reports magic, database, config and files', async () => {
    const result = await validateArchiveFile(docsightStyleArchive());
    expect(result.meta.magic).toBe('docsight-backup');
    expect(result).toMatchObject({ has_database: true, has_config: true, warnings: [] });
    expect(result.files).toEqual(['backup_meta.json', 'docsis_history.db', 'config.json', '.config_key', '.session_key', '.auth_state']);
  });

  it('accepts the archive as bytes', async () => {
    const result = await validateArchive(fs.readFileSync(docsightStyleArchive()));
    expect(result.has_database).toBe(true);
  });

  it('rejects bytes that are not an archive with "Invalid archive"', async () => {
    const error = await lockerErrorOf(validateArchive(Buffer.from('not a tar file')));
    expect(error.message).toMatch(/^Invalid archive/);
  });

  it('rejects an archive without backup_meta.json with "Missing backup_meta.json"', async () => {
    const error = await lockerErrorOf(validateArchive(await buildTarGz([{ name: 'random.txt', content: 'x' }])));
    expect(error.message).toMatch(/Missing backup_meta\.json/);
  });

  it('rejects a meta with the wrong magic with "wrong magic"', async () => {
    const error = await lockerErrorOf(validateArchive(await buildTarGz([{ name: 'backup_meta.json', content: '{"magic":"wrong"}' }])));
    expect(error.message).toMatch(/wrong magic/);
  });

  it('rejects a ../etc/passwd member with "Unsafe path"', async () => {
    const archive = await buildTarGz([
      { name: 'backup_meta.json', content: metaText() },
      { name: '../etc/passwd', content: 'root:x:0:0' },
    ]);
    const error = await lockerErrorOf(validateArchive(archive));
    expect(error.message).toBe('Unsafe path in archive: ../etc/passwd');
  });
});

describe('restore (DOCSight TestRestore)', () => {
  it('restores the history database, config.json and .auth_state byte for byte', async () => {
    const dataDir = makeTempDir('restore');
    const result = await restoreBackup({ source: fs.createReadStream(docsightStyleArchive()), dataDir });
    expect(result.restoredFiles).toEqual(expect.arrayContaining(['docsis_history.db', 'config.json', '.auth_state']));
    for (const name of result.restoredFiles) expect(fs.existsSync(path.join(dataDir, name))).toBe(true);
    expect(fs.readFileSync(path.join(dataDir, '.auth_state'), 'utf8')).toBe('auth-state-fingerprint');
  });

  it('restores the data itself: the config values and the one snapshot', async () => {
    const dataDir = makeTempDir('restore');
    const result = await restoreBackup({ source: fs.createReadStream(docsightStyleArchive()), dataDir });
    const config = JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config['modem_type']).toBe('fritzbox');
    expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).toEqual(['user row']);
    expect(result.configured).toBe(true);
    expect(fs.readdirSync(dataDir).filter((name) => name.endsWith('-wal') || name.endsWith('-shm'))).toEqual([]);
  });

  it('accepts the archive as bytes', async () => {
    const dataDir = makeTempDir('restore');
    const result = await restoreBackup({ source: fs.readFileSync(docsightStyleArchive()), dataDir });
    expect(result.restoredFiles.length).toBeGreaterThanOrEqual(1);
  });
});

describe('verified restore (DOCSight test_backup_restore_verified.py)', () => {
  /** A data dir whose live history database holds "old" and has stale -wal/-shm files. */
  function liveDirWithStaleSidecars(): string {
    const dataDir = makeTempDir('live');
    writeSnapshotDb(path.join(dataDir, 'docsis_history.db'), ['old']);
    fs.writeFileSync(path.join(dataDir, 'docsis_history.db-wal'), 'stale wal');
    fs.writeFileSync(path.join(dataDir, 'docsis_history.db-shm'), 'stale shm');
    return dataDir;
  }

  function integrityOk(file: string): boolean {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.pragma('integrity_check', { simple: true }) === 'ok';
    } finally {
      db.close();
    }
  }

  it('publishes a verified database with one rename and removes the stale sidecars', async () => {
    const dataDir = liveDirWithStaleSidecars();
    const archive = await buildTarGz([
      { name: 'backup_meta.json', content: '{"magic": "docsight-backup", "format_version": 1}' },
      { name: 'docsis_history.db', content: snapshotDbBytes(['new', 'second']) },
    ]);
    const renames: { step: PublishStep; verified: boolean }[] = [];
    const result = await restoreBackup({
      source: archive,
      dataDir,
      migrate: async () => undefined, // opening the database would also clear the sidecars; test the publish alone
      beforePublishStep: (step) => {
        if (step.kind === 'rename') renames.push({ step, verified: integrityOk(path.join(dataDir, step.from)) });
      },
    });
    expect(renames).toEqual([
      {
        step: { kind: 'rename', from: expect.stringMatching(/^\.evidence-locker-restore-docsis_history\.db\./), to: 'docsis_history.db' },
        verified: true,
      },
    ]);
    expect(result.restoredFiles).toEqual(['docsis_history.db']);
    expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).toEqual(['new', 'second']);
    expect(fs.existsSync(path.join(dataDir, 'docsis_history.db-wal'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'docsis_history.db-shm'))).toBe(false);
    expect(restoreWorkFiles(dataDir)).toEqual([]);
  });

  it('keeps the live database byte-identical when the staged copy is corrupt', async () => {
    const dataDir = liveDirWithStaleSidecars();
    const before = sha256(fs.readFileSync(path.join(dataDir, 'docsis_history.db')));
    const archive = await buildTarGz([
      { name: 'backup_meta.json', content: '{"magic": "docsight-backup", "format_version": 1}' },
      { name: 'docsis_history.db', content: 'not a sqlite database' },
    ]);
    const error = await lockerErrorOf(restoreBackup({ source: archive, dataDir }));
    expect(error.code).toBe('DATABASE_CORRUPT');
    expect(error.message).toMatch(/database|integrity|malformed|encrypted/);
    expect(sha256(fs.readFileSync(path.join(dataDir, 'docsis_history.db')))).toBe(before);
    expect(restoreWorkFiles(dataDir)).toEqual([]);
  });

  it('verifies every database before publishing any of them', async () => {
    const dataDir = liveDirWithStaleSidecars();
    writeSnapshotDb(path.join(dataDir, 'connection_monitor.db'), ['old monitor']);
    const before = [
      sha256(fs.readFileSync(path.join(dataDir, 'docsis_history.db'))),
      sha256(fs.readFileSync(path.join(dataDir, 'connection_monitor.db'))),
    ];
    const archive = await buildTarGz([
      { name: 'backup_meta.json', content: '{"magic": "docsight-backup", "format_version": 1}' },
      { name: 'docsis_history.db', content: snapshotDbBytes(['new']) },
      { name: 'connection_monitor.db', content: 'not a sqlite database' },
    ]);
    const steps: PublishStep[] = [];
    const error = await lockerErrorOf(restoreBackup({ source: archive, dataDir, beforePublishStep: (step) => void steps.push(step) }));
    expect(error.code).toBe('DATABASE_CORRUPT');
    expect(error.message).toMatch(/connection_monitor\.db/);
    expect(steps).toEqual([]);
    expect([
      sha256(fs.readFileSync(path.join(dataDir, 'docsis_history.db'))),
      sha256(fs.readFileSync(path.join(dataDir, 'connection_monitor.db'))),
    ]).toEqual(before);
    expect(restoreWorkFiles(dataDir)).toEqual([]);
  });
});
