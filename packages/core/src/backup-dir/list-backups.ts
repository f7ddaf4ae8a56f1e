/**
 * Lists the backups in a backup directory. Stricter than DOCSight's `list_backups`: only regular
 * files (no symlinks, which could point at anything, no directories) whose name is exactly a backup
 * file name count, and the time carries its UTC offset.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errnoCode, isLockerError } from '../errors.ts';
import { backupDirUnusable } from './backup-dir-unusable.ts';
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
 * The backups in `backupDir`, newest first (by modification time, then by name descending so
 * same-second backups `_2` before the first). "No backups yet" and a directory that does not exist
 * yet both give []. A path that is not a directory or cannot be read throws BACKUP_DIR_UNUSABLE.
 */
export async function listBackups(backupDir: string, options: ListBackupsOptions = {}): Promise<BackupListEntry[]> {
  const readMeta = options.readMeta ?? true;
  const dir = resolve(backupDir);
  const names = await readBackupDirNames(dir);
  const found: Array<{ entry: BackupListEntry; mtimeMs: number }> = [];
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
      mtimeMs: stats.mtimeMs,
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
  found.sort((a, b) => b.mtimeMs - a.mtimeMs || compareDescending(a.entry.fileName, b.entry.fileName));
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

function compareDescending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
