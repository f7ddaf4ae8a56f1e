/**
 * Why a directory cannot take a write, as the error a user can act on. One mapping for every place
 * that writes into a directory a user chose (saving the backup path, a backup, a new folder), so
 * the advice always fits the cause: `chown`/`chmod` only for a refused permission, never for a
 * read-only mount, which no permission change can fix.
 */
import { errnoCode, isDiskFullErrno, LockerError } from '../errors.ts';

/** The uid this process runs as, or undefined where there is none (Windows). */
export function processUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/**
 * The LockerError for a failed write into `dir` (`error` is what the file system threw):
 * - EROFS → READ_ONLY_FILE_SYSTEM (a read-only mount: remount it or choose another directory);
 * - EACCES, EPERM → WRITE_PERMISSION_DENIED with the uid and `chown <uid> <dir> && chmod 700 <dir>`;
 * - ENOTDIR → NOT_A_DIRECTORY; ENOENT → DIRECTORY_NOT_FOUND;
 * - ENOSPC, EDQUOT → DISK_FULL;
 * - anything else → BACKUP_DIR_UNUSABLE with the errno code.
 * `details` always holds `path`; WRITE_PERMISSION_DENIED adds `uid` and `command`.
 */
export function backupDirWriteError(dir: string, error: unknown): LockerError {
  const code = errnoCode(error);
  const uid = processUid();
  const who = uid === undefined ? 'this process' : `uid ${uid}`;
  const details = { path: dir };
  if (code === 'EROFS') {
    return new LockerError(
      'READ_ONLY_FILE_SYSTEM',
      `${dir} is on a read-only file system: nothing can be written there, and chmod or chown cannot change that. ` +
        'Mount it read-write (a Docker volume without :ro, a share with write access) or choose another directory.',
      { cause: error, details },
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    const command = `chown ${uid ?? '<uid>'} ${shellQuote(dir)} && chmod 700 ${shellQuote(dir)}`;
    return new LockerError(
      'WRITE_PERMISSION_DENIED',
      `Evidence Locker runs as ${who} and may not write to ${dir}. Give it the directory (${command}) or choose another directory.`,
      { cause: error, details: { ...details, uid: uid ?? '<uid>', command } },
    );
  }
  if (code === 'ENOTDIR') {
    return new LockerError('NOT_A_DIRECTORY', `${dir} is not a directory (a file is in the way).`, { cause: error, details });
  }
  if (code === 'ENOENT') {
    return new LockerError(
      'DIRECTORY_NOT_FOUND',
      `${dir} does not exist. Create it, or if it is a disk or a share, check that it is mounted.`,
      { cause: error, details },
    );
  }
  if (isDiskFullErrno(code)) {
    return new LockerError('DISK_FULL', `The disk holding ${dir} is full: not even a small test file fits there.`, {
      cause: error,
      details,
    });
  }
  return new LockerError('BACKUP_DIR_UNUSABLE', `${dir} cannot be written (${code ?? String(error)}).`, {
    cause: error,
    details: { ...details, uid },
  });
}

/** `value` as one shell word, so a suggested command works for paths with spaces too. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
