/**
 * Lists the backups in a backup directory. Stricter than DOCSight's `list_backups`: only regular
 * files (no symlinks, which could point at anything, no directories) whose name is exactly a backup
 * file name count, and the time carries its UTC offset.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errnoCode, isLockerError } from '../errors.ts';
import { backupDirUnusable } from './backup-dir-unusable.ts';
import { backupMadeAt, compareBackupsNewestFirst } from './backup-made-at.ts';
import type { BackupListEntry } from './backup-list-entry.ts';
import { formatLocalIso } from './format-local-iso.ts';
import { isBackupFileName, isSealedBackupFileName } from './is-backup-file-name.ts';
import { peekSealedWith } from './peek-archive-meta.ts';
import { readBackupFacts } from './read-backup-trigger.ts';

export interface ListBackupsOptions {
  /** Read each archive's meta for its `trigger` (a few KB per file). Default true; false gives null triggers. */
  readMeta?: boolean;
  /** Identities that open sealed backups, so their trigger can be read too (peek-archive-meta.ts). */
  identities?: readonly string[] | undefined;
}

/**
 * The backups in `backupDir`, newest first by when they were made (backup-made-at.ts: the time in
 * the file name, the modification time only for a name without one; the same date retention
 * counts by), same-second backups by their `_N` suffix, the highest first
 * (compareBackupsNewestFirst). DOCSight's page orders by modification time alone; after a
 * directory copied without its times that would make the last-copied file "the newest" here while
 * retention keeps another. "No backups yet" and a directory that does not exist yet both give [].
 * A path that is not a directory or cannot be read throws BACKUP_DIR_UNUSABLE.
 */
export async function listBackups(backupDir: string, options: ListBackupsOptions = {}): Promise<BackupListEntry[]> {
  const readMeta = options.readMeta ?? true;
  const dir = resolve(backupDir);
  const names = await readBackupDirNames(dir);
  const found: Array<{ entry: BackupListEntry; name: string; madeAt: Date }> = [];
  for (const fileName of names.filter(isBackupFileName)) {
    const path = join(dir, fileName);
    let stats;
    try {
      stats = await lstat(path);
    } catch (error) {
      // Pruned or deleted between readdir and lstat: it is simply no longer there.
      if (errnoCode(error) === 'ENOENT') continue;
      throw backupDirUnusable(dir, 'cannot be read', error);
    }
    if (!stats.isFile()) continue;
    const facts = readMeta
      ? await readBackupFacts(path, stats, { identities: options.identities })
      : { trigger: null, sealedWith: isSealedBackupFileName(fileName) ? await peekSealedWith(path) : null };
    found.push({
      name: fileName,
      madeAt: backupMadeAt(fileName, stats.mtime),
      entry: {
        fileName,
        path,
        size: stats.size,
        modified: formatLocalIso(stats.mtime),
        trigger: facts.trigger,
        sealed: facts.sealedWith,
      },
    });
  }
  found.sort(compareBackupsNewestFirst);
  return found.map(({ entry }) => entry);
}

async function readBackupDirNames(dir: string): Promise<string[]> {
  try {
    const stats = await stat(dir);
    if (!stats.isDirectory()) throw backupDirUnusable(dir, 'is not a directory');
    return await readdir(dir);
  } catch (error) {
    if (isLockerError(error)) throw error;
    if (errnoCode(error) === 'ENOENT') return [];
    if (errnoCode(error) === 'ENOTDIR') throw backupDirUnusable(dir, 'is not a directory', error);
    throw backupDirUnusable(dir, 'cannot be read', error);
  }
}
