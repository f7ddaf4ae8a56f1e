/**
 * A test restore (issue 19, proof of restorability): a stored backup is restored exactly as a user's
 * restore would restore it, only not into the live data directory: into a scratch directory
 * `.evidence-locker-test-restore-*` inside the backup directory (never the data directory, which a
 * backup directory may not be inside either; a crash leaves it to the next sweep, as every
 * `.evidence-locker-` work file). Steps:
 * 1. preflight: the archive's unpacked size plus the margin must be free in the backup directory
 *    (DISK_FULL, naming it, before anything is written);
 * 2. restore into the scratch directory with restoreDataDir, the restore users run: every member
 *    staged and checked against the meta's checksums, each database through SQLite's integrity check,
 *    the instance's files checked (key, config shape, secrets), a sealed backup opened with `key`;
 * 3. once published, the same normalisation (leaving demo mode, a fresh session) and DOCSight's
 *    migrations a restore runs, then SQLite's integrity check of each migrated database again;
 * 4. each database's row counts, taken as published (before the migrations, which may add rows of
 *    their own), are compared with the meta's (`tables` for the history database,
 *    `connection_monitor_tables` for the connection monitor's): every table the meta counts must be
 *    there with exactly that many rows (TEST_RESTORE_COUNTS_DIFFER);
 * 5. the scratch directory is removed, whatever happened.
 *
 * Why the scratch directory is inside the backup directory (a decision of issue 19's review, rather
 * than beside it or in the system's temp directory):
 * - it is the one place known to be writable and meant for our files: every backup is written there
 *   and its writability is checked (ensure-backup-dir-writable.ts), while its parent may be a
 *   read-only mount point (a Docker volume at /backups, whose parent is the container's root) and
 *   /tmp is often a small tmpfs in memory, too small for an unpacked backup;
 * - the space is counted where it is used: the preflight checks the backup directory's disk, which
 *   holds the archive being read too, so the restore never copies the archive across devices;
 * - it stays away from the live data: never the data directory, so DOCSight on a shared volume never
 *   sees a second set of databases, and a backup directory inside the data directory is refused;
 * - nothing mistakes it for a backup: its `.evidence-locker-` name is no backup file name, so lists,
 *   retention and offsite pushes pass it by, and after a crash the start-up sweep of work files
 *   removes what is left, as it removes every other `.evidence-locker-` work file.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CONNECTION_MONITOR_DB, HISTORY_DB, WORK_PREFIX, isDatabaseFileName, type DatabaseFileName } from '../data-dir-layout.ts';
import { LockerError, errnoCode, isLockerError } from '../errors.ts';
import { ensureFreeSpace, formatMegabytes } from '../fs/ensure-free-space.ts';
import { FREE_SPACE_MARGIN } from '../archive/create/backup-space-needs.ts';
import type { ArchiveMeta } from '../archive/format/backup-meta.ts';
import type { ArchiveProgress } from '../archive/read/read-archive.ts';
import { estimateUnpackedBytes } from '../archive/read/estimate-unpacked-bytes.ts';
import { migrateRestoredDatabases } from '../archive/restore/restore-backup.ts';
import { restoreDataDir } from '../archive/restore/restore-data-dir.ts';
import { isBackupFileName } from '../backup-dir/is-backup-file-name.ts';
import { runSqliteTask } from '../db/run-sqlite-task.ts';
import type { OpenKey } from '../seal/seal-key.ts';
import { sealExpectationOf } from '../seal/sealed-input.ts';
import { tableCountMismatch, type TableCountMismatch } from './table-count-mismatch.ts';

/** Name prefix of the scratch directory inside the backup directory. */
export const TEST_RESTORE_PREFIX = `${WORK_PREFIX}test-restore-`;

export interface TestRestoreOptions {
  /** The key that opens a sealed backup (`….tar.gz.age`); without it one fails with SEAL_KEY_REQUIRED. */
  key?: OpenKey | undefined;
  /** The live data directory: refused (BACKUP_PATH_IN_DATA_DIR) should the scratch directory fall inside it. */
  dataDir?: string | undefined;
  signal?: AbortSignal;
  onProgress?: (progress: ArchiveProgress) => void;
}

export interface TestRestoreResult {
  fileName: string;
  /** Bytes of the archive file. */
  size: number;
  /** When the backup was made, from its meta's `timestamp`; null when the meta has none that parses. */
  madeAt: Date | null;
  /** Data files the restore produced, in archive order. */
  restoredFiles: string[];
  /** Databases that passed SQLite's integrity check after the migrations. */
  databasesChecked: DatabaseFileName[];
  /** How many tables' row counts matched the meta (0 for a meta that counts none). */
  tablesCompared: number;
  /** DOCSight's `is_configured()` on the restored config.json. */
  configured: boolean;
}

/** Restores `backupDir/fileName` into a scratch directory and checks the result (see the file comment). */
export async function testRestore(backupDir: string, fileName: string, options: TestRestoreOptions = {}): Promise<TestRestoreResult> {
  if (!isBackupFileName(fileName)) {
    throw new LockerError('BACKUP_NAME_INVALID', `Not a backup file name: ${fileName}`, { details: { fileName } });
  }
  const archivePath = path.join(backupDir, fileName);
  const archiveStat = await stat(archivePath).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT')
      throw new LockerError('BACKUP_NOT_FOUND', `Backup not found: ${fileName}`, { details: { fileName } });
    throw error;
  });
  if (!archiveStat.isFile()) throw new LockerError('BACKUP_NOT_FOUND', `Backup not found: ${fileName}`, { details: { fileName } });
  refuseInsideDataDir(backupDir, options.dataDir);

  const unpacked = await estimateUnpackedBytes(archivePath);
  await ensureFreeSpace('test restore', [{ dir: backupDir, bytes: unpacked + FREE_SPACE_MARGIN }]);

  const scratch = await mkdtemp(path.join(backupDir, TEST_RESTORE_PREFIX));
  try {
    const databasesChecked: DatabaseFileName[] = [];
    // Counted as published, before the migrations (which may add rows of their own).
    const counted = new Map<DatabaseFileName, Record<string, number>>();
    const result = await restoreDataDir({
      source: createReadStream(archivePath),
      archivePath,
      dataDir: path.join(scratch, 'data'),
      // The scratch data directory starts empty, so no pre-restore backup is ever written there.
      backupDir: scratch,
      bytesTotal: archiveStat.size,
      seal: { key: options.key, expect: sealExpectationOf(fileName) },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      migrate: async (dir, restored) => {
        for (const name of restored) {
          if (isDatabaseFileName(name)) counted.set(name, await runSqliteTask({ kind: 'count_rows', path: path.join(dir, name) }));
        }
        await migrateRestoredDatabases(dir, restored);
        for (const name of restored) {
          if (!isDatabaseFileName(name)) continue;
          await checkMigrated(fileName, name, path.join(dir, name));
          databasesChecked.push(name);
        }
      },
    });
    const tablesCompared = compareCounts(fileName, result.meta, counted);
    const timestamp = Date.parse(result.meta.timestamp ?? '');
    return {
      fileName,
      size: archiveStat.size,
      madeAt: Number.isFinite(timestamp) ? new Date(timestamp) : null,
      restoredFiles: result.restoredFiles,
      databasesChecked,
      tablesCompared,
      configured: result.configured,
    };
  } catch (error) {
    throw explained(error, backupDir);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The number of tables compared; throws TEST_RESTORE_COUNTS_DIFFER at the first that differs. */
function compareCounts(fileName: string, meta: ArchiveMeta, counted: Map<DatabaseFileName, Record<string, number>>): number {
  const expected: [DatabaseFileName, Record<string, number> | undefined][] = [
    [HISTORY_DB, meta.tables],
    [CONNECTION_MONITOR_DB, meta.connection_monitor_tables],
  ];
  let compared = 0;
  for (const [name, counts] of expected) {
    if (counts === undefined || Object.keys(counts).length === 0) continue;
    const actual = counted.get(name);
    const mismatch = tableCountMismatch(counts, actual ?? {});
    if (mismatch !== null) throw countsDiffer(fileName, name, mismatch, actual === undefined);
    compared += Object.keys(counts).length;
  }
  return compared;
}

function countsDiffer(fileName: string, database: DatabaseFileName, mismatch: TableCountMismatch, missing: boolean): LockerError {
  const { table, expected, actual } = mismatch;
  const found = missing ? `the backup holds no ${database}` : actual === null ? `${database} has no table ${table}` : `it holds ${actual}`;
  return new LockerError(
    'TEST_RESTORE_COUNTS_DIFFER',
    `Backup ${fileName}: its meta counts ${expected} rows in ${table} of ${database}, but ${found}. The backup is not what was written; make a new one.`,
    { details: { fileName, database, table, expected, actual: actual ?? -1 } },
  );
}

/** SQLite's integrity check of a restored database after DOCSight's migrations ran on it. */
async function checkMigrated(fileName: string, name: DatabaseFileName, file: string): Promise<void> {
  const rows = await runSqliteTask({ kind: 'integrity_check', path: file });
  if (rows.length === 1 && rows[0] === 'ok') return;
  throw new LockerError(
    'DATABASE_CORRUPT',
    `Backup ${fileName}: ${name} failed SQLite's integrity check after the migrations: ${rows.slice(0, 3).join('; ')}`,
    {
      details: { fileName, name },
    },
  );
}

function refuseInsideDataDir(backupDir: string, dataDir: string | undefined): void {
  if (dataDir === undefined) return;
  const relative = path.relative(path.resolve(dataDir), path.resolve(backupDir));
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    throw new LockerError(
      'BACKUP_PATH_IN_DATA_DIR',
      `A test restore never writes into the data directory, and ${backupDir} is inside it.`,
      {
        details: { path: backupDir },
      },
    );
  }
}

/**
 * The error as a user of the test restore needs it: a failure after publishing comes from
 * restoreDataDir as RESTORE_ROLLED_BACK ("the restore was undone"), which says nothing here, so its
 * cause is reported; a lack of space names the backup directory, not the scratch directory.
 */
function explained(error: unknown, backupDir: string): unknown {
  if (isLockerError(error, 'RESTORE_ROLLED_BACK') && error.cause instanceof LockerError) return error.cause;
  if (
    isLockerError(error, 'DISK_FULL') &&
    typeof error.details?.['needed'] === 'number' &&
    typeof error.details['available'] === 'number'
  ) {
    const { needed, available } = error.details;
    if (Array.isArray(error.details['dirs']) && error.details['dirs'].includes(backupDir)) return error;
    return new LockerError(
      'DISK_FULL',
      `Not enough free space for the test restore in ${backupDir}: it needs about ${formatMegabytes(needed, 'up')}, ` +
        `${formatMegabytes(available, 'down')} are free. Free up space there and try again.`,
      { cause: error, details: { dirs: [backupDir], needed, available } },
    );
  }
  return error;
}
