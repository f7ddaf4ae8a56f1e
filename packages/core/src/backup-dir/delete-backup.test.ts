import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { injectFsFault } from '@evidence-locker/core/testing/inject-fs-fault';
import { deleteBackup } from './delete-backup.ts';

// Root may unlink anything, so a refused unlink is injected.
vi.mock('node:fs/promises', async (importOriginal) =>
  (await import('@evidence-locker/core/testing/inject-fs-fault')).fsPromisesWithFaults(importOriginal),
);

const BACKUP = 'docsight_backup_2026-11-26_070713.tar.gz';
let root: string;
let backupDir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'el-delete-'));
  backupDir = join(root, 'backup');
  mkdirSync(backupDir);
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('deleteBackup', () => {
  it('deletes a backup file and nothing else', async () => {
    writeFileSync(join(backupDir, BACKUP), 'archive');
    writeFileSync(join(backupDir, 'docsight_backup_2026-11-26_070714.tar.gz'), 'archive');
    await deleteBackup(backupDir, BACKUP);
    expect(readdirSync(backupDir)).toEqual(['docsight_backup_2026-11-26_070714.tar.gz']);
  });

  it('deletes a same-second backup with a collision suffix', async () => {
    writeFileSync(join(backupDir, 'docsight_backup_2026-11-26_070713_2.tar.gz'), 'archive');
    await deleteBackup(backupDir, 'docsight_backup_2026-11-26_070713_2.tar.gz');
    expect(readdirSync(backupDir)).toEqual([]);
  });

  it.each([
    'config.json',
    'docsis_history.db',
    '../x',
    'a/b.tar.gz',
    `../backup/${BACKUP}`,
    `sub/${BACKUP}`,
    `..%2F${BACKUP}`,
    `docsight_backup_2026-11-26_070713%2F.tar.gz`,
    `/tmp/${BACKUP}`,
    '',
  ])('refuses %j with BACKUP_NAME_INVALID and deletes nothing', async (fileName) => {
    writeFileSync(join(backupDir, 'config.json'), '{}');
    writeFileSync(join(backupDir, 'docsis_history.db'), 'db');
    writeFileSync(join(backupDir, BACKUP), 'archive');
    writeFileSync(join(root, 'x'), 'outside');
    await expect(deleteBackup(backupDir, fileName)).rejects.toMatchObject({ code: 'BACKUP_NAME_INVALID' });
    expect(readdirSync(backupDir).sort()).toEqual(['config.json', BACKUP, 'docsis_history.db']);
    expect(existsSync(join(root, 'x'))).toBe(true);
  });

  it('refuses a symlink named like a backup with BACKUP_NOT_FOUND and keeps link and target', async () => {
    const target = join(root, 'precious.db');
    writeFileSync(target, 'live data');
    symlinkSync(target, join(backupDir, BACKUP));
    await expect(deleteBackup(backupDir, BACKUP)).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    expect(lstatSync(join(backupDir, BACKUP)).isSymbolicLink()).toBe(true);
    expect(existsSync(target)).toBe(true);
  });

  it('refuses a directory named like a backup with BACKUP_NOT_FOUND and keeps it', async () => {
    mkdirSync(join(backupDir, BACKUP));
    writeFileSync(join(backupDir, BACKUP, 'inner'), 'x');
    await expect(deleteBackup(backupDir, BACKUP)).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    expect(existsSync(join(backupDir, BACKUP, 'inner'))).toBe(true);
  });

  it('gives BACKUP_NOT_FOUND for a missing backup and for a missing backup directory', async () => {
    await expect(deleteBackup(backupDir, BACKUP)).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    await expect(deleteBackup(join(root, 'missing'), BACKUP)).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
  });

  it('deletes inside the real directory when the backup path is itself a symlink', async () => {
    writeFileSync(join(backupDir, BACKUP), 'archive');
    symlinkSync(backupDir, join(root, 'backup-link'));
    await deleteBackup(join(root, 'backup-link'), BACKUP);
    expect(readdirSync(backupDir)).toEqual([]);
  });

  it('throws PERMISSION_DENIED with the path when the unlink is refused', async () => {
    writeFileSync(join(backupDir, BACKUP), 'archive');
    injectFsFault('unlink', 'EACCES');
    await expect(deleteBackup(backupDir, BACKUP)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { path: join(backupDir, BACKUP) },
    });
  });
});
