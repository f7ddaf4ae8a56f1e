/**
 * What a backup will write, per directory, estimated before it starts (the free-space preflight,
 * fs/ensure-free-space.ts):
 * - the data directory holds the database copies (as big as the live files) and the compressed
 *   spool while the archive is built, plus a margin for journals;
 * - the backup directory receives the archive. Its size is not known before compressing; the
 *   newest archive already there is the best guess (a data directory grows slowly), else a tenth
 *   of the live databases (DOCSight's data compresses to 6–8 %). The exact size is checked again
 *   before the archive is written.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CONNECTION_MONITOR_DB, HISTORY_DB } from '../../data-dir-layout.ts';
import { errnoCode } from '../../errors.ts';
import { isBackupFileName } from '../../backup-dir/is-backup-file-name.ts';
import type { SpaceNeed } from '../../fs/ensure-free-space.ts';

/** Kept free besides what an operation writes (journals, SQLite's own files, rounding). */
export const FREE_SPACE_MARGIN = 32 * 1024 * 1024;
const FALLBACK_ARCHIVE_RATIO = 0.1;

/** The space needs of a backup of `dataDir`, into `backupDir` (none for a download stream). */
export async function backupSpaceNeeds(dataDir: string, backupDir: string | undefined): Promise<SpaceNeed[]> {
  const liveBytes = await liveDatabaseBytes(dataDir);
  const archiveBytes = (backupDir && (await newestArchiveSize(backupDir))) || Math.ceil(liveBytes * FALLBACK_ARCHIVE_RATIO);
  const needs: SpaceNeed[] = [{ dir: dataDir, bytes: liveBytes + archiveBytes + FREE_SPACE_MARGIN }];
  if (backupDir !== undefined) needs.push({ dir: backupDir, bytes: archiveBytes });
  return needs;
}

/** Bytes of both databases with their WAL files (what a snapshot copies at most). */
export async function liveDatabaseBytes(dataDir: string): Promise<number> {
  let total = 0;
  for (const name of [HISTORY_DB, `${HISTORY_DB}-wal`, CONNECTION_MONITOR_DB, `${CONNECTION_MONITOR_DB}-wal`]) {
    total += await fileSize(path.join(dataDir, name));
  }
  return total;
}

async function newestArchiveSize(backupDir: string): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(backupDir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return 0;
    throw error;
  }
  let newest = { mtimeMs: -1, size: 0 };
  for (const name of names.filter(isBackupFileName)) {
    const stats = await fs.stat(path.join(backupDir, name)).catch(() => undefined);
    if (stats?.isFile() && stats.mtimeMs > newest.mtimeMs) newest = { mtimeMs: stats.mtimeMs, size: stats.size };
  }
  return newest.size;
}

async function fileSize(file: string): Promise<number> {
  const stats = await fs.stat(file).catch(() => undefined);
  return stats?.isFile() ? stats.size : 0;
}
