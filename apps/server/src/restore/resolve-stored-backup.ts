/**
 * Finds a stored backup by file name in the backup directory, for `restore.start({ fileName })`.
 * Only an exact backup file name is accepted (never a path), and only a regular file directly in
 * the directory (not a symlink, not a directory), the same rule as deleting a backup.
 */
import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { LockerError, errnoCode, isBackupFileName } from '@evidence-locker/core';

/** The absolute path of backup `fileName` in `backupDir`; BACKUP_NAME_INVALID or BACKUP_NOT_FOUND otherwise. */
export async function resolveStoredBackup(backupDir: string, fileName: string): Promise<string> {
  if (!isBackupFileName(fileName)) {
    throw new LockerError('BACKUP_NAME_INVALID', `Not a backup file name: ${JSON.stringify(fileName)}.`, {
      details: { fileName },
    });
  }
  const notFound = (cause?: unknown): LockerError =>
    new LockerError('BACKUP_NOT_FOUND', `Backup not found: ${fileName}.`, { cause, details: { fileName, backupDir } });
  try {
    // The name has no separator (isBackupFileName), so this path is directly inside the directory.
    const path = join(await realpath(backupDir), fileName);
    if (!(await lstat(path)).isFile()) throw notFound();
    return path;
  } catch (error) {
    if (error instanceof LockerError) throw error;
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(error);
    throw error;
  }
}
