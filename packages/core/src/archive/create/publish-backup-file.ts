/**
 * Publishes a finished archive under its final name without ever replacing an existing file.
 * DOCSight's `os.replace` silently overwrites a backup made in the same second; here the archive is
 * hard-linked to the final name (link fails with EEXIST instead of replacing), and when the name
 * is taken the next second is tried. On filesystems without hard links (some FUSE, SMB, exFAT
 * mounts) it falls back to rename after an existence check; only a writer racing within that
 * check could be overwritten there. The directory is fsynced so the new name survives a crash.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../errors.ts';
import { syncDirectory } from '../../fs/sync-directory.ts';
import { backupFileName } from '../format/backup-file-name.ts';
import { SEALED_SUFFIX } from '../../seal/sealed-archive-name.ts';

/** How many following seconds are tried before giving up. */
const MAX_ATTEMPTS = 3600;
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Moves `tempPath` (inside `backupDir`) to the backup name for `time`, or the first later second
 * whose name is free. With `sealed` the name ends in `.age`; a second is free only when neither its
 * plain nor its sealed name is taken, so `age -d` of one never lands on the other. Returns the file
 * name used.
 */
export async function publishBackupFile(
  tempPath: string,
  backupDir: string,
  time: Date,
  options: { sealed?: boolean } = {},
): Promise<string> {
  let linkable = true;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const plainName = backupFileName(new Date(time.getTime() + attempt * 1000));
    const sealedName = plainName + SEALED_SUFFIX;
    const name = options.sealed === true ? sealedName : plainName;
    const target = path.join(backupDir, name);
    if (await exists(path.join(backupDir, options.sealed === true ? plainName : sealedName))) continue;
    if (linkable) {
      try {
        await fs.link(tempPath, target);
        await fs.unlink(tempPath);
        await syncDirectory(backupDir);
        return name;
      } catch (error) {
        const code = errnoCode(error) ?? '';
        if (code === 'EEXIST') continue;
        if (!NO_HARD_LINKS.has(code)) throw error;
        linkable = false;
      }
    }
    if (await exists(target)) continue;
    await fs.rename(tempPath, target);
    await syncDirectory(backupDir);
    return name;
  }
  throw Object.assign(new Error(`No free backup file name within ${MAX_ATTEMPTS} s of ${time.toISOString()}`), {
    code: 'EEXIST',
  });
}
