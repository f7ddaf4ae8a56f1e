/**
 * Removes what a crashed run left behind in a data or backup directory. DOCSight never sweeps its
 * own leftovers, so a killed backup leaves a VACUUM copy as large as the database behind, forever.
 *
 * Swept (only these; a user's file never matches):
 * - Evidence Locker work files and directories: `.evidence-locker-*`. Not the restore intent
 *   `.evidence-locker-restore-intent.json`, and, while an intent exists, nothing starting with
 *   `.evidence-locker-restore-` or `.evidence-locker-prepared-`: those are the staged files an
 *   interrupted restore still needs, and restore recovery decides what happens to them.
 * - DOCSight's work directories `.docsight-backup-work-*` and `.docsight-backup-download-*`.
 * - DOCSight's restore staging files `.docsight-restore-<name>.XXXX.tmp` and the `-wal`/`-shm`
 *   sidecars that verifying them leaves behind.
 * - DOCSight's half-written scheduled archives `.docsight_backup_<ts>.tar.gz.XXXX.tmp`.
 *
 * Symlinks are never removed or followed, whatever their name: neither program creates them, so one
 * was put there by someone else. Directories are removed without following links inside them.
 */
import { readdir, rm, unlink } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { PREPARED_PREFIX, RESTORE_INTENT_FILE, RESTORE_PREFIX, WORK_PREFIX } from '../data-dir-layout.ts';
import { errnoCode, LockerError } from '../errors.ts';

const DOCSIGHT_WORK_DIR = /^\.docsight-backup-(?:work|download)-./;
const DOCSIGHT_WORK_FILE = [/^\.docsight-restore-.+\.tmp(?:-wal|-shm)?$/, /^\.docsight_backup_.+\.tar\.gz\..+\.tmp$/];

export const SweepResultSchema = z.object({
  /** Names removed, sorted. */
  removed: z.array(z.string()),
  /** Leftovers that could not be removed; the next sweep tries again. */
  failed: z.array(z.object({ name: z.string(), message: z.string() })),
});
export type SweepResult = z.infer<typeof SweepResultSchema>;

/**
 * Removes crash leftovers (see the file comment) directly inside `dir` and returns their names.
 * Call it only while no backup or restore job is running (at startup), since a running job's work
 * files look the same. A missing directory sweeps nothing; an unreadable one throws
 * DATA_DIR_UNUSABLE. A leftover that cannot be removed is reported in `failed`, not thrown.
 */
export async function sweepWorkFiles(dir: string): Promise<SweepResult> {
  const absolute = resolve(dir);
  let entries: Dirent[];
  try {
    entries = await readdir(absolute, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { removed: [], failed: [] };
    throw new LockerError('DATA_DIR_UNUSABLE', `Cannot read ${absolute} to remove leftover work files.`, {
      cause: error,
      details: { path: absolute },
    });
  }
  const hasRestoreIntent = entries.some((entry) => entry.name === RESTORE_INTENT_FILE);
  const result: SweepResult = { removed: [], failed: [] };
  for (const entry of entries) {
    if (!isLeftover(entry, hasRestoreIntent)) continue;
    try {
      if (entry.isDirectory()) await rm(join(absolute, entry.name), { recursive: true, force: true });
      else await unlink(join(absolute, entry.name));
      result.removed.push(entry.name);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') continue;
      result.failed.push({ name: entry.name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  result.removed.sort();
  return result;
}

function isLeftover(entry: Dirent, hasRestoreIntent: boolean): boolean {
  const { name } = entry;
  if (entry.isSymbolicLink()) return false;
  if (name.startsWith(WORK_PREFIX)) {
    if (name === RESTORE_INTENT_FILE) return false;
    if (hasRestoreIntent && (name.startsWith(RESTORE_PREFIX) || name.startsWith(PREPARED_PREFIX))) return false;
    return entry.isFile() || entry.isDirectory();
  }
  if (DOCSIGHT_WORK_DIR.test(name)) return entry.isDirectory();
  return DOCSIGHT_WORK_FILE.some((pattern) => pattern.test(name)) && entry.isFile();
}
