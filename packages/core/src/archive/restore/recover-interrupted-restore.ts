/**
 * Crash recovery for restores. Every opener of a data dir (server start, CLI, a new restore) calls
 * recoverInterruptedRestore first, before any database in it is opened.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DATABASE_FILES, RESTORE_PREFIX } from '../../data-dir-layout.ts';
import { isFile } from './restore-work-files.ts';
import { runSqliteTask } from '../../db/run-sqlite-task.ts';
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
  await settleHotJournals(dataDir);
  return { rolledForward: intent !== undefined, removedWorkFiles };
}

/**
 * A restore killed while it migrated a published database (which is in rollback-journal mode then)
 * leaves a hot `-journal`. SQLite rolls it back at the next read-write open, but a read-only opener
 * (`locker inspect`, the pre-restore check for data) cannot and is refused; so every opener settles
 * it here first. The database is then the archive's as published, migrated at its next open.
 */
async function settleHotJournals(dataDir: string): Promise<void> {
  for (const name of DATABASE_FILES) {
    const database = join(dataDir, name);
    if ((await isFile(`${database}-journal`)) && (await isFile(database))) {
      await runSqliteTask({ kind: 'settle_journal', path: database });
    }
  }
}
