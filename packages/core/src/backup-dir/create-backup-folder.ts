/**
 * "New folder" in the backup-path picker: one directory, created inside a directory the picker may
 * show (browse-directory.ts's roots), never in the data directory, with a name that is one plain
 * path segment the picker will list.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, LockerError } from '../errors.ts';
import { backupDirWriteError } from './backup-dir-write-error.ts';
import { resolveBrowsableDirectory, type BrowseOptions } from './browse-directory.ts';

/** Longest folder name, in UTF-8 bytes (Linux's NAME_MAX). */
export const MAX_FOLDER_NAME_BYTES = 255;

/**
 * What is wrong with `name` as a new folder's name, in English, or null when it is fine: empty,
 * longer than 255 bytes, holding `/` or a NUL byte, `.` or `..`, or starting with a dot (the
 * picker hides those, so the new folder would vanish from view).
 */
export function folderNameProblem(name: string): string | null {
  if (name.trim() === '') return 'it is empty';
  if (name.includes('/')) return 'it contains "/"';
  if (name.includes('\0')) return 'it contains a NUL byte';
  if (name.startsWith('.')) return 'it starts with "." (hidden folders are not listed)';
  if (name !== name.trim()) return 'it starts or ends with a space';
  if (Buffer.byteLength(name, 'utf8') > MAX_FOLDER_NAME_BYTES) return `it is longer than ${MAX_FOLDER_NAME_BYTES} bytes`;
  return null;
}

/**
 * Creates folder `name` (mode 0700: backups are kept like credentials) in `parent` and returns its
 * real path. Refuses: FOLDER_NAME_INVALID (see {@link folderNameProblem}); PATH_NOT_ALLOWED,
 * NOT_A_DIRECTORY, PERMISSION_DENIED for a `parent` the picker may not show; BACKUP_PATH_IN_DATA_DIR
 * for one in the data directory; DIRECTORY_EXISTS when the name is taken; and the causes of
 * backup-dir-write-error.ts (read-only, permission, full disk) when mkdir fails.
 */
export async function createBackupFolder(
  parent: string,
  name: string,
  allowedRoots: readonly string[],
  options: BrowseOptions = {},
): Promise<string> {
  const problem = folderNameProblem(name);
  if (problem !== null) {
    throw new LockerError('FOLDER_NAME_INVALID', `"${name.replaceAll('\0', '\\0')}" cannot be a folder name: ${problem}.`, {
      details: { name: name.replaceAll('\0', '\\0') },
    });
  }
  const { real, inDataDir } = await resolveBrowsableDirectory(parent, allowedRoots, options);
  if (inDataDir(real)) {
    throw new LockerError(
      'BACKUP_PATH_IN_DATA_DIR',
      `${real} is the data directory or inside it: no place for backups, so no folder is made there.`,
      { details: { path: real } },
    );
  }
  const target = join(real, name);
  try {
    await mkdir(target, { mode: 0o700 });
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') {
      throw new LockerError('DIRECTORY_EXISTS', `${target} already exists.`, { cause: error, details: { path: target, name } });
    }
    throw backupDirWriteError(real, error);
  }
  return target;
}
