import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FIXTURE_B,
  buildTarGz,
  cleanupTempDirs,
  makeTempDir,
  memberDigests,
  metaText,
  snapshotDbBytes,
  type TarMember,
} from '@evidence-locker/core/testing/restore-support';
import { verifyBackup } from './verify-backup.ts';

afterEach(cleanupTempDirs);

const NAME = 'docsight_backup_2026-11-26_070726.tar.gz';

function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name !== NAME);
}

describe('verifyBackup', () => {
  it('verifies a DOCSight archive in full: gzip, tar, members and the integrity of both databases', async () => {
    const backupDir = makeTempDir('verify');
    fs.copyFileSync(FIXTURE_B, path.join(backupDir, NAME));

    const result = await verifyBackup(backupDir, NAME);

    expect(result.databasesChecked.sort()).toEqual(['connection_monitor.db', 'docsis_history.db']);
    expect(result.checksumsVerified).toBe(false);
    expect(result.files[0]).toBe('backup_meta.json');
    expect(leftovers(backupDir)).toEqual([]);
  });

  it('reports checksums as verified when the meta carries them', async () => {
    const backupDir = makeTempDir('verify-sums');
    const members: TarMember[] = [{ name: 'docsis_history.db', content: snapshotDbBytes(['a', 'b']) }];
    const archive = await buildTarGz([{ name: 'backup_meta.json', content: metaText({ members: memberDigests(members) }) }, ...members]);
    fs.writeFileSync(path.join(backupDir, NAME), archive);

    const result = await verifyBackup(backupDir, NAME);

    expect(result.checksumsVerified).toBe(true);
    expect(result.databasesChecked).toEqual(['docsis_history.db']);
  });

  it('fails a backup whose database is corrupt even though its checksum matches', async () => {
    const backupDir = makeTempDir('verify-corrupt');
    const database = snapshotDbBytes(Array.from({ length: 400 }, (_, index) => `row ${index} ${'x'.repeat(200)}`));
    database.fill(0x5a, 4096 + 8, 4096 + 600);
    const members: TarMember[] = [{ name: 'docsis_history.db', content: database }];
    const archive = await buildTarGz([{ name: 'backup_meta.json', content: metaText({ members: memberDigests(members) }) }, ...members]);
    fs.writeFileSync(path.join(backupDir, NAME), archive);

    await expect(verifyBackup(backupDir, NAME)).rejects.toMatchObject({
      code: 'DATABASE_CORRUPT',
      message: expect.stringContaining("docsis_history.db failed SQLite's integrity check"),
    });
    expect(leftovers(backupDir)).toEqual([]);
  });

  it('fails a truncated backup and leaves nothing beside it', async () => {
    const backupDir = makeTempDir('verify-truncated');
    const bytes = fs.readFileSync(FIXTURE_B);
    fs.writeFileSync(path.join(backupDir, NAME), bytes.subarray(0, bytes.length - 5000));

    await expect(verifyBackup(backupDir, NAME)).rejects.toMatchObject({ code: 'ARCHIVE_TRUNCATED' });
    expect(leftovers(backupDir)).toEqual([]);
  });

  it('accepts only a backup file name', async () => {
    const backupDir = makeTempDir('verify-name');
    await expect(verifyBackup(backupDir, '../config.json')).rejects.toMatchObject({ code: 'BACKUP_NAME_INVALID' });
    await expect(verifyBackup(backupDir, NAME)).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
  });
});
