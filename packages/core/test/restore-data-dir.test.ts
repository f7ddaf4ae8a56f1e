import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreDataDir } from '../src/archive/restore/restore-data-dir.ts';
import { recoverInterruptedRestore } from '../src/archive/restore/recover-interrupted-restore.ts';
import { listBackups } from '../src/backup-dir/list-backups.ts';
import {
  FIXTURE_A,
  FIXTURE_B,
  buildTarGz,
  cleanupTempDirs,
  makeLiveDataDir,
  makeTempDir,
  metaText,
  readSnapshotRows,
  snapshotDir,
} from './support/restore-support.ts';

afterEach(cleanupTempDirs);

function authState(sessionKey: Buffer, adminPassword: string): string {
  return createHmac('sha256', sessionKey)
    .update(Buffer.from('docsight-admin-auth-state-v1\0', 'latin1'))
    .update(Buffer.from(adminPassword, 'utf8'))
    .digest('hex');
}

/** An archive of an instance with an admin password, its session key, and that key's fingerprint of the password. */
async function archiveWithAdminPassword(): Promise<{ archive: Buffer; archiveKey: Buffer; adminPassword: string }> {
  const archiveKey = Buffer.alloc(32, 9);
  const adminPassword = 'scrypt:32768:8:1$salt$abcdef';
  const archive = await buildTarGz([
    { name: 'backup_meta.json', content: metaText() },
    { name: 'config.json', content: JSON.stringify({ modem_type: 'fritzbox', admin_password: adminPassword }) },
    { name: '.session_key', content: archiveKey },
    { name: '.auth_state', content: authState(archiveKey, adminPassword) },
  ]);
  return { archive, archiveKey, adminPassword };
}

describe('restoreDataDir', () => {
  it('writes a pre-restore backup of the live data first, and restoring it undoes the restore', async () => {
    const dataDir = makeLiveDataDir();
    const backupDir = makeTempDir('backups');

    const result = await restoreDataDir({ source: fs.createReadStream(FIXTURE_A), dataDir, backupDir });

    expect(result.preRestoreBackup).not.toBeNull();
    const [listed] = await listBackups(backupDir);
    expect(listed).toMatchObject({ fileName: result.preRestoreBackup!.fileName, trigger: 'pre-restore' });
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')).modem_type).toBe('fritzbox');

    const undo = await restoreDataDir({ source: fs.createReadStream(listed!.path), dataDir, backupDir });
    expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).toEqual(['live']);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')).modem_type).toBe('live');
    expect(undo.preRestoreBackup).not.toBeNull();
  });

  it('writes no pre-restore backup when the data directory holds nothing yet', async () => {
    const dataDir = path.join(makeTempDir('fresh'), 'data');
    const backupDir = makeTempDir('backups');

    const result = await restoreDataDir({ source: fs.createReadStream(FIXTURE_A), dataDir, backupDir });

    expect(result.preRestoreBackup).toBeNull();
    expect(fs.readdirSync(backupDir)).toEqual([]);
    expect(result.configured).toBe(true);
  });

  it('logs everyone out: a fresh session key and the fingerprint of the restored admin password', async () => {
    const dataDir = makeLiveDataDir();
    const backupDir = makeTempDir('backups');
    const { archive, archiveKey, adminPassword } = await archiveWithAdminPassword();

    await restoreDataDir({ source: archive, dataDir, backupDir });

    const sessionKey = fs.readFileSync(path.join(dataDir, '.session_key'));
    expect(sessionKey).toHaveLength(32);
    expect(sessionKey.equals(archiveKey)).toBe(false);
    expect(sessionKey.equals(Buffer.alloc(32, 7))).toBe(false);
    expect(fs.readFileSync(path.join(dataDir, '.auth_state'), 'latin1')).toBe(authState(sessionKey, adminPassword));
  });

  it("never leaves the archive's session key live, even when the publish is cut short at any step", async () => {
    const { archive, archiveKey, adminPassword } = await archiveWithAdminPassword();
    // Publishing renames config.json, .session_key and .auth_state, then removes the databases the
    // archive lacks: a crash before each of those steps, then the next open rolls it forward.
    for (let crashAt = 1; crashAt <= 5; crashAt += 1) {
      const dataDir = makeLiveDataDir();
      let steps = 0;
      const error = await restoreDataDir({
        source: archive,
        dataDir,
        backupDir: makeTempDir('backups'),
        beforePublishStep: () => {
          steps += 1;
          if (steps === crashAt) throw new Error('power cut');
        },
      }).catch((caught: unknown) => caught);
      expect(error, `crash before step ${crashAt}`).toBeInstanceOf(Error);
      await recoverInterruptedRestore(dataDir);
      const sessionKey = fs.readFileSync(path.join(dataDir, '.session_key'));
      expect(sessionKey.equals(archiveKey), `crash before step ${crashAt}`).toBe(false);
      expect(fs.readFileSync(path.join(dataDir, '.auth_state'), 'latin1')).toBe(authState(sessionKey, adminPassword));
      expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')).admin_password).toBe(adminPassword);
    }
  });

  it('writes no pre-restore backup and changes nothing when the archive is refused', async () => {
    const dataDir = makeLiveDataDir();
    const backupDir = makeTempDir('backups');
    const before = snapshotDir(dataDir);
    const archive = await buildTarGz([
      { name: 'backup_meta.json', content: metaText() },
      { name: 'docsis_history.db', content: 'not a sqlite database' },
    ]);

    await expect(restoreDataDir({ source: archive, dataDir, backupDir })).rejects.toMatchObject({ code: 'DATABASE_CORRUPT' });

    expect(fs.readdirSync(backupDir)).toEqual([]);
    expect(snapshotDir(dataDir)).toEqual(before);
  });

  it('leaves demo mode when the backup came from a demo instance without a modem, keeping the user rows', async () => {
    const dataDir = path.join(makeTempDir('fresh-demo'), 'data');
    const backupDir = makeTempDir('backups');

    const result = await restoreDataDir({ source: fs.createReadStream(FIXTURE_B), dataDir, backupDir });

    expect(result.configured).toBe(false);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'DEMO_MODE_LEFT', message: expect.stringContaining('demo mode is now off') }),
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8'))).not.toHaveProperty('demo_mode');
  });
});
