/**
 * Names and small file-system steps shared by restore and its crash recovery. Every file a restore
 * creates in the data dir starts with `.evidence-locker-restore-`, so recovery can find them all
 * and never touches a user's file.
 */
import { randomBytes } from 'node:crypto';
import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { WORK_PREFIX } from '../data-dir-layout.ts';
import { SQLITE_SIDECAR_SUFFIXES } from '../db/overwrite-database-in-place.ts';
import { errnoCode } from '../errors.ts';

/** Prefix of staged members, the intent file and its temp file. */
export const RESTORE_PREFIX = `${WORK_PREFIX}restore-`;

/**
 * Prefix of the staged members of a prepared upload (prepare-restore.ts): left alone by a
 * restore's recovery, swept at start-up like every work file, except the ones an interrupted
 * restore's intent still names.
 */
export const PREPARED_PREFIX = `${WORK_PREFIX}prepared-`;

/** Written once every staged file is verified; its presence means "roll this restore forward". */
export const RESTORE_INTENT_FILE = `${RESTORE_PREFIX}intent.json`;

/** A fresh staging name for member `name`: `<prefix><name>.<random>.tmp` (default `.evidence-locker-restore-`). */
export function stagedFileName(name: string, prefix: string = RESTORE_PREFIX): string {
  return `${prefix}${name}.${randomBytes(6).toString('hex')}.tmp`;
}

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
