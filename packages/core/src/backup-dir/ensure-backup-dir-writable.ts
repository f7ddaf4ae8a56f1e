/**
 * The check before a backup is written: the backup directory must exist, be a directory and be
 * writable by this process. It is deliberately not created when missing (DOCSight's makedirs does):
 * a missing backup directory is usually a volume that is not mounted (NAS offline, a compose file
 * without the volume), and backups written into the container's own filesystem would vanish with
 * it. The messages name the path, the uid the server runs as and a command that fixes it, because
 * the usual cause is a Docker volume owned by another user.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { errnoCode, LockerError } from '../errors.ts';

/** Throws BACKUP_DIR_UNUSABLE (with path, uid and a fix) unless `backupDir` is a writable directory. */
export async function ensureBackupDirWritable(backupDir: string): Promise<void> {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const owner = uid === undefined ? '<uid>' : String(uid);
  const dir = shellQuote(backupDir);
  const unusable = (problem: string, fix: string, cause?: unknown): LockerError =>
    new LockerError(
      'BACKUP_DIR_UNUSABLE',
      `Backup directory ${backupDir} ${problem}. Evidence Locker runs as ${uid === undefined ? 'this user' : `uid ${uid}`}; fix: ${fix}`,
      { cause, details: { path: backupDir, uid } },
    );

  let isDirectory: boolean;
  try {
    isDirectory = (await stat(backupDir)).isDirectory();
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') throw unusable('does not exist', `mkdir -p ${dir} && chown ${owner} ${dir}`, error);
    if (code === 'ENOTDIR') {
      throw unusable(
        'does not exist (a file is in the way)',
        `choose another backup path, or mkdir -p ${dir} && chown ${owner} ${dir}`,
        error,
      );
    }
    throw unusable('cannot be read', `chown ${owner} ${dir} && chmod 700 ${dir}`, error);
  }
  if (!isDirectory) {
    throw unusable('is a file, not a directory', `move the file away, then mkdir -p ${dir} && chown ${owner} ${dir}`);
  }
  try {
    await access(backupDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw unusable('is not writable', `chown ${owner} ${dir} && chmod 700 ${dir}`, error);
  }
}

/** The path as one shell word, so the suggested command works for paths with spaces too. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
