/**
 * The check before a backup directory is used: saving it as the backup path, and before every
 * backup. It must exist, be a directory, and take a real write: a small uniquely named file is
 * written, flushed to the disk, read back, compared and removed. Asking `access(W_OK)` is not
 * enough: it cannot tell a read-only mount from a refused permission, says nothing of a full disk,
 * and a network share may answer it yes and refuse the write. What went wrong is said with its
 * real cause (backup-dir-write-error.ts).
 *
 * The directory is deliberately not created when missing (DOCSight's makedirs does): a missing
 * backup directory is usually a volume that is not mounted (NAS offline, a compose file without the
 * volume), and backups written into the container's own filesystem would vanish with it.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { WORK_PREFIX } from '../data-dir-layout.ts';
import { LockerError } from '../errors.ts';
import { backupDirWriteError, processUid } from './backup-dir-write-error.ts';

/** Prefix of the test file; a crash leaves it to the start-up sweep (it is a work file). */
export const PROBE_PREFIX = `${WORK_PREFIX}probe-`;

/**
 * Throws unless a backup can be written into `backupDir`: DIRECTORY_NOT_FOUND when it is missing,
 * NOT_A_DIRECTORY for a file, READ_ONLY_FILE_SYSTEM, WRITE_PERMISSION_DENIED (with the uid and a
 * `chown`/`chmod` that fixes it), DISK_FULL, or BACKUP_DIR_UNUSABLE when the test file reads back
 * different bytes or the write fails otherwise. Leaves nothing behind.
 */
export async function ensureBackupDirWritable(backupDir: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(backupDir)).isDirectory();
  } catch (error) {
    throw backupDirWriteError(backupDir, error);
  }
  if (!isDirectory) {
    throw new LockerError('NOT_A_DIRECTORY', `${backupDir} is a file, not a directory.`, { details: { path: backupDir } });
  }
  await probeWrite(backupDir);
}

/** Writes, fsyncs, reads back and removes a test file in `dir`. */
async function probeWrite(dir: string): Promise<void> {
  const file = path.join(dir, `${PROBE_PREFIX}${randomBytes(8).toString('hex')}`);
  const content = randomBytes(64);
  let created = false;
  try {
    // `wx`: a file of that name (however unlikely) is never overwritten.
    const handle = await open(file, 'wx', 0o600);
    created = true;
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const readBack = await readFile(file);
    if (!readBack.equals(content)) {
      throw new LockerError(
        'BACKUP_DIR_UNUSABLE',
        `${dir} does not keep what is written to it: a test file read back different bytes. Check the disk or the share behind it.`,
        { details: { path: dir, uid: processUid() } },
      );
    }
  } catch (error) {
    if (error instanceof LockerError) throw error;
    throw backupDirWriteError(dir, error);
  } finally {
    if (created) await unlink(file).catch(() => undefined);
  }
}
