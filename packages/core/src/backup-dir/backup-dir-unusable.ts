/**
 * The one error for "the backup directory exists but this process cannot use it", shared by the
 * listing, pruning and deletion so the user always gets the path, the uid and a fix.
 */
import { LockerError } from '../errors.ts';

/**
 * A BACKUP_DIR_UNUSABLE error for `backupDir`; `reason` says what is wrong ("is not a directory",
 * "cannot be read"). The uid matters because a Docker volume is often owned by another user.
 */
export function backupDirUnusable(backupDir: string, reason: string, cause?: unknown): LockerError {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const who = uid === undefined ? 'this process' : `uid ${uid}`;
  return new LockerError(
    'BACKUP_DIR_UNUSABLE',
    `Backup directory ${backupDir} ${reason}. Evidence Locker runs as ${who}; ` +
      `point the backup path at a directory that ${who} can read and write ` +
      `(for example: chown ${uid ?? '<uid>'} ${backupDir} && chmod 700 ${backupDir}).`,
    { cause, details: { path: backupDir, uid } },
  );
}
