/**
 * Crash-safe file replacement: a reader sees either the old file or the whole new one, never a torn
 * write. Sequence: temp file in the same directory (so rename stays on one file system) created
 * exclusively with the final mode → write → fsync → rename over the target → fsync the directory
 * so the rename itself survives a power cut.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, link, unlink } from 'node:fs/promises';
import path from 'node:path';
import { LockerError, errnoCode, isDiskFullErrno } from '../errors.ts';
import { WORK_PREFIX } from '../data-dir-layout.ts';
import { syncDirectory } from '../fs/sync-directory.ts';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** File mode of the result; default 0o600, set explicitly so the umask cannot widen or narrow it. */
  mode?: number;
  /**
   * Leave an existing target alone (create-if-absent, atomic against concurrent creators);
   * default false (replace).
   */
  noClobber?: boolean;
}

/**
 * Writes `data` to `filePath` atomically. Returns true when written, false only with `noClobber`
 * when the target already existed. Disk-full and permission failures become LockerErrors
 * (DISK_FULL, PERMISSION_DENIED); the temp file (`.evidence-locker-<name>.<hex>.tmp`) is removed
 * on any failure.
 */
export async function writeFileAtomic(filePath: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<boolean> {
  const mode = options.mode ?? 0o600;
  const dir = path.dirname(filePath);
  const tempPath = path.join(dir, `${WORK_PREFIX}${path.basename(filePath)}.${randomBytes(8).toString('hex')}.tmp`);
  let tempExists = false;
  try {
    const handle = await open(tempPath, 'wx', mode);
    tempExists = true;
    try {
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.noClobber) {
      // link() fails with EEXIST instead of replacing, which rename() cannot do.
      try {
        await link(tempPath, filePath);
      } catch (error) {
        if (errnoCode(error) === 'EEXIST') return false;
        throw error;
      }
    } else {
      await rename(tempPath, filePath);
      tempExists = false;
    }
    await syncDirectory(dir);
    return true;
  } catch (error) {
    throw toLockerError(error, filePath);
  } finally {
    if (tempExists) await unlink(tempPath).catch(() => undefined);
  }
}

function toLockerError(error: unknown, filePath: string): unknown {
  const code = errnoCode(error);
  if (isDiskFullErrno(code)) {
    return new LockerError('DISK_FULL', `The disk is full; could not write ${filePath}.`, {
      cause: error,
      details: { path: filePath },
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new LockerError('PERMISSION_DENIED', `No permission to write ${filePath}.`, {
      cause: error,
      details: { path: filePath },
    });
  }
  return error;
}
