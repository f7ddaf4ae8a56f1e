/**
 * Small file-system steps shared by restore and its crash recovery. The names of the files a
 * restore creates in the data dir (all starting with `.evidence-locker-restore-`, so recovery can
 * find them and never touches a user's file) are in data-dir-layout.ts.
 */
import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SQLITE_SIDECAR_SUFFIXES } from '../../db/overwrite-database-in-place.ts';
import { errnoCode } from '../../errors.ts';

/** Removes `path`; a file that is already gone is fine. */
export async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}

/** Removes the SQLite sidecars of the database at `dir/name`. */
export async function removeSqliteSidecars(dir: string, name: string): Promise<void> {
  for (const suffix of SQLITE_SIDECAR_SUFFIXES) await unlinkIfPresent(join(dir, `${name}${suffix}`));
}

/** Whether `path` is a regular file (following links); false for anything missing or unreadable. */
export async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.isFile(),
    () => false,
  );
}
