/**
 * Crash recovery for restores. Every opener of a data dir (server start, CLI, a new restore) calls
 * recoverInterruptedRestore first, before any database in it is opened.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RESTORE_PREFIX } from './restore-work-files.ts';
import { applyRestoreIntent, readRestoreIntent } from './restore-intent.ts';

export interface RestoreRecovery {
  /** True when an interrupted, committed restore was completed. */
  rolledForward: boolean;
  /** Leftover work files that were deleted (staged members of a restore that never committed). */
  removedWorkFiles: string[];
}

/**
 * Finishes or cleans up a restore that a crash interrupted. With an intent file the restore had
 * committed (everything staged was verified before the intent was written), so it is rolled
 * forward; without one, stray `.evidence-locker-restore-*` files are deleted and the data dir is as
 * it was before that restore. A missing data dir needs no recovery. Not safe to call while a
 * restore into the same dir is running: callers serialise restores per data dir.
 */
export async function recoverInterruptedRestore(dataDir: string): Promise<RestoreRecovery> {
  let names: string[];
  try {
    names = await readdir(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { rolledForward: false, removedWorkFiles: [] };
    throw error;
  }
  const intent = await readRestoreIntent(dataDir);
  if (intent !== undefined) await applyRestoreIntent(dataDir, intent);

  const removedWorkFiles: string[] = [];
  const leftovers = intent === undefined ? names : await readdir(dataDir);
  for (const name of leftovers) {
    if (!name.startsWith(RESTORE_PREFIX)) continue;
    await rm(join(dataDir, name), { force: true, recursive: true });
    removedWorkFiles.push(name);
  }
  return { rolledForward: intent !== undefined, removedWorkFiles };
}
