/**
 * Deletes one backup on a user's request. DOCSight's DELETE removes any file in the backup
 * directory, so with the backup path set to the data directory `DELETE /api/backup/config.json`
 * deletes live data. Here only a name that is exactly a backup file name is accepted, and only a
 * regular file directly inside the backup directory is removed: never a symlink (unlinking it is
 * harmless, but it is not a backup and the user asked for one), never a directory.
 */
import { lstat, realpath, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, LockerError } from '../errors.ts';
import { backupDirUnusable } from './backup-dir-unusable.ts';
import { isBackupFileName } from './is-backup-file-name.ts';

/**
 * Deletes the backup `fileName` from `backupDir`. A name that is not a backup file name (a path,
 * `..`, an encoded slash, `config.json`) throws BACKUP_NAME_INVALID; a name with no regular file
 * behind it throws BACKUP_NOT_FOUND; a refused unlink throws PERMISSION_DENIED.
 */
export async function deleteBackup(backupDir: string, fileName: string): Promise<void> {
  if (!isBackupFileName(fileName)) {
    throw new LockerError('BACKUP_NAME_INVALID', `Not a backup file name: ${JSON.stringify(String(fileName))}.`, {
      details: { fileName: String(fileName) },
    });
  }
  const notFound = (cause?: unknown): LockerError =>
    new LockerError('BACKUP_NOT_FOUND', `Backup not found: ${fileName}.`, { cause, details: { fileName, backupDir } });

  let dir: string;
  try {
    dir = await realpath(backupDir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') throw notFound(error);
    throw backupDirUnusable(backupDir, 'cannot be read', error);
  }
  // The name has no separator (isBackupFileName), so this path is directly inside the directory.
  const path = join(dir, fileName);
  try {
    const stats = await lstat(path);
    if (!stats.isFile()) throw notFound();
    await unlink(path);
  } catch (error) {
    if (error instanceof LockerError) throw error;
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(error);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new LockerError('PERMISSION_DENIED', `Permission denied: cannot delete ${path}.`, {
        cause: error,
        details: { path },
      });
    }
    throw error;
  }
}
