/**
 * Defence in depth (docs/docsight-compatibility.md, D14): settings already refuse a backup path that
 * is the data directory or inside it, but config.json can be edited by hand or restored from
 * DOCSight, where nothing checks it. Writing or deleting "backups" there could mix with or remove
 * live data.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { LockerError } from '@evidence-locker/core';

/** Throws BACKUP_PATH_IN_DATA_DIR when `backupPath` (after resolving symlinks) is `dataDir` or inside it. */
export async function refuseBackupPathInDataDir(backupPath: string, dataDir: string): Promise<void> {
  const backupReal = await realpath(backupPath).catch(() => path.resolve(backupPath));
  const dataReal = await realpath(dataDir).catch(() => path.resolve(dataDir));
  const relative = path.relative(dataReal, backupReal);
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    throw new LockerError(
      'BACKUP_PATH_IN_DATA_DIR',
      `The backup path ${backupPath} is the data directory or inside it: a backup there is lost with the data it protects. ` +
        'Choose a separate backup directory in the settings.',
      { details: { path: backupPath, dataDir } },
    );
  }
}
