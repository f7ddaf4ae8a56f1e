/**
 * The restore intent: the commit point of a restore.
 *
 * Protocol: members are staged and verified first; then the intent file lists every rename
 * (staged → final name) and every removal (live data files the archive does not carry). It is
 * written atomically (temp file, fsync, rename, directory fsync). From that moment the restore is
 * committed: applying the intent is idempotent, so a crash at any later point is finished by
 * rolling forward (recoverInterruptedRestore), never by rolling back. The intent is deleted last.
 */
import { syncDirectory } from '../../fs/sync-directory.ts';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  DATA_FILES,
  PREPARED_PREFIX,
  RESTORE_INTENT_FILE,
  RESTORE_PREFIX,
  isDatabaseFileName,
  type DatabaseFileName,
} from '../../data-dir-layout.ts';
import { LockerError, errnoCode } from '../../errors.ts';
import { overwriteDatabaseInPlace } from '../../db/overwrite-database-in-place.ts';
import { isFile, removeSqliteSidecars, unlinkIfPresent } from './restore-work-files.ts';

const StagedNameSchema = z
  .string()
  .refine((name) => (name.startsWith(RESTORE_PREFIX) || name.startsWith(PREPARED_PREFIX)) && !name.includes('/') && !name.includes('\\'), {
    message: 'not a staging file name',
  });
const DataFileNameSchema = z.enum(DATA_FILES);

/** The intent file's content. Names are relative to the data dir, so the dir may move between runs. */
export const RestoreIntentSchema = z.object({
  version: z.literal(1),
  renames: z.array(
    z.object({
      from: StagedNameSchema,
      to: DataFileNameSchema,
      /** A database written into the live file (same inode) instead of renamed over it. */
      inPlace: z.literal(true).optional(),
    }),
  ),
  removals: z.array(DataFileNameSchema),
});
export type RestoreIntent = z.infer<typeof RestoreIntentSchema>;

/** One step of applying an intent, as shown to a `beforeStep` hook. */
export type PublishStep = { kind: 'rename'; from: string; to: string } | { kind: 'remove'; name: string } | { kind: 'finish' };

/** Called before each step; throwing stops the publish there, as a crash would (tests use it). */
export type PublishStepHook = (step: PublishStep) => void | Promise<void>;

/**
 * Writes databases in place while their locks are held (live-database-lock.ts). Without one (crash
 * recovery, when nothing is held) the files are written directly.
 */
export interface LiveDatabaseWriter {
  holds(name: DatabaseFileName): boolean;
  overwrite(name: DatabaseFileName, stagedPath: string): Promise<void>;
  poison(name: DatabaseFileName): Promise<void>;
}

/** Writes the intent atomically: after this resolves the restore is committed. */
export async function writeRestoreIntent(dataDir: string, intent: RestoreIntent): Promise<void> {
  const finalPath = join(dataDir, RESTORE_INTENT_FILE);
  const tempPath = `${finalPath}.${process.pid}.tmp`;
  const handle = await open(tempPath, 'w', 0o600);
  try {
    await handle.writeFile(JSON.stringify(intent, null, 2));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tempPath, finalPath);
  await syncDirectory(dataDir);
}

/** The intent of an interrupted restore, or undefined when there is none. */
export async function readRestoreIntent(dataDir: string): Promise<RestoreIntent | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, RESTORE_INTENT_FILE), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    parsed = error;
  }
  const result = RestoreIntentSchema.safeParse(parsed);
  if (!result.success) {
    throw new LockerError(
      'DATA_DIR_UNUSABLE',
      `The restore intent file ${RESTORE_INTENT_FILE} in ${dataDir} is unreadable; restore the pre-restore backup`,
      { cause: result.error, details: { dataDir } },
    );
  }
  return result.data;
}

/**
 * Applies `intent` and deletes it. Idempotent: a rename whose staged file is gone was done before.
 * A database's sidecars are removed before the new file takes its name, never after, so a stale
 * WAL can never be replayed into the restored database. An `inPlace` database whose live file
 * exists is written into it (through `writer` when it holds the file) and its staged file removed
 * after; a database removed while `writer` holds it is poisoned first.
 */
export async function applyRestoreIntent(
  dataDir: string,
  intent: RestoreIntent,
  beforeStep: PublishStepHook = () => undefined,
  writer?: LiveDatabaseWriter,
): Promise<void> {
  for (const { from, to, inPlace } of intent.renames) {
    await beforeStep({ kind: 'rename', from, to });
    const stagedPath = join(dataDir, from);
    if (inPlace && isDatabaseFileName(to) && (await isFile(stagedPath)) && (await isFile(join(dataDir, to)))) {
      if (writer?.holds(to)) await writer.overwrite(to, stagedPath);
      else overwriteDatabaseInPlace(join(dataDir, to), stagedPath);
      await unlinkIfPresent(stagedPath);
      continue;
    }
    try {
      if (isDatabaseFileName(to)) {
        // Only while the staged file still exists: after the rename, sidecars belong to the new file.
        await open(join(dataDir, from), 'r').then((handle) => handle.close());
        await removeSqliteSidecars(dataDir, to);
      }
      await rename(join(dataDir, from), join(dataDir, to));
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
  }
  for (const name of intent.removals) {
    await beforeStep({ kind: 'remove', name });
    if (isDatabaseFileName(name) && writer?.holds(name)) await writer.poison(name);
    if (isDatabaseFileName(name)) await removeSqliteSidecars(dataDir, name);
    await unlinkIfPresent(join(dataDir, name));
  }
  await syncDirectory(dataDir);
  await beforeStep({ kind: 'finish' });
  await unlinkIfPresent(join(dataDir, RESTORE_INTENT_FILE));
  await syncDirectory(dataDir);
}
