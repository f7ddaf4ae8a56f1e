/**
 * Restore of a backup archive into a data dir: verify everything, then publish crash-safely.
 *
 * Lifecycle:
 * 1. create the data dir if missing; finish or clean up an interrupted earlier restore;
 * 2. prepare (prepare-restore.ts, skipped for an upload the server prepared as it arrived):
 *    preflight: the space the archive's data needs (plus `spaceNeeds`) must be free; then
 *    stage (the one read pass): each data member streams into `.evidence-locker-restore-<name>.*.tmp`
 *    (mode 0600, fsynced) while its size and SHA-256 are checked;
 * 3. verify: a WAL-flagged database copy is flagged rollback-mode (header bytes 18/19 → 1) so
 *    neither the check nor the restored file ever leaves `-wal`/`-shm` files behind (DOCSight
 *    leaks them); every staged database must pass `PRAGMA integrity_check` (worker thread);
 *    `config.json` must be a JSON object;
 * 4. hold: `releaseHandles` (the caller closes its own connections, which would otherwise count as
 *    another process's), then the live databases are taken exclusively (live-database-lock.ts).
 *    When another process has one open, the restore is refused here with DATABASE_IN_USE, naming
 *    the file, before anything live has changed; from now on any other opener waits, and fails
 *    with SQLITE_BUSY after its busy timeout;
 * 5. `beforePublish` (the caller writes its pre-restore backup from `liveDatabaseCopies()`, copies of
 *    the held databases, and stages files that must change with the archive's, such as a fresh
 *    session key);
 * 6. commit: the intent file is written (restore-intent.ts). Any failure before this point leaves the
 *    data dir byte-identical and removes every staged file (and the data dir, if this restore
 *    created it and it is still empty);
 * 7. publish: held databases are written in place, other files renamed, dropped ones removed, then
 *    the intent is deleted and the hold released. A failure here is finished by
 *    recoverInterruptedRestore, which every opener calls;
 * 8. `migrate`: bring the restored databases to the current schema at once (default: DOCSight's
 *    migrations via openHistoryDatabase/openConnectionMonitorDatabase, in the SQLite worker).
 *
 * Decision: a restore makes the data dir the archive's instance. Data files the archive does not
 * carry (say `connection_monitor.db` from an older DOCSight, or `.auth_state`) are removed rather
 * than left to mix two instances as DOCSight does; they survive in the pre-restore backup the
 * caller writes in `beforePublish`. Files outside DATA_FILES (`modules/`, `bnetz/`, the
 * `.pre_utc_migration` copy) are never touched.
 */
import { lstat, mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  CONNECTION_MONITOR_DB,
  DATA_FILES,
  HISTORY_DB,
  WORK_PREFIX,
  isDatabaseFileName,
  type DataFileName,
  type DatabaseFileName,
} from '../../data-dir-layout.ts';
import { holdConfig } from '../../config/config-file.ts';
import type { ConfigLockOptions } from '../../config/config-lock.ts';
import { LockerError, errnoCode } from '../../errors.ts';
import { ensureFreeSpace, type SpaceNeed } from '../../fs/ensure-free-space.ts';
import { syncDirectory } from '../../fs/sync-directory.ts';
import type { ArchiveWarning } from '../format/archive-warning.ts';
import type { ArchiveMeta } from '../format/backup-meta.ts';
import { discardPreparedRestore, prepareRestore, type PreparedRestore } from './prepare-restore.ts';
import type { ArchiveSource, ReadArchiveOptions } from '../read/read-archive.ts';
import { LiveDatabaseLock } from './live-database-lock.ts';
import { recoverInterruptedRestore } from './recover-interrupted-restore.ts';
import { applyRestoreIntent, writeRestoreIntent, type PublishStepHook, type RestoreIntent } from './restore-intent.ts';
import { runSqliteTask } from '../../db/run-sqlite-task.ts';
import { unlinkIfPresent } from './restore-work-files.ts';
import { writeStagedFile } from '../read/stage-member.ts';

export interface RestoreBackupOptions extends ReadArchiveOptions {
  /** The archive; or, instead, `prepared`. */
  source?: ArchiveSource;
  /**
   * An archive already staged and verified in `dataDir` by prepareRestore (a server upload): only
   * the publish half runs. It must have been prepared for this same data directory.
   */
  prepared?: PreparedRestore;
  /** The DOCSight data dir to restore into; created when missing. */
  dataDir: string;
  /**
   * Called once the archive is staged and verified, before the live databases are held: close this
   * process's own connections to them (a server's), which would otherwise count as another's.
   */
  releaseHandles?: () => void | Promise<void>;
  /**
   * Runs after every member is staged and verified, with the live databases held, and before
   * anything live changes: write the pre-restore backup (from `staging.liveDatabaseCopies()`),
   * stage what must be published with the archive's files (`staging.replace`: a fresh session key,
   * an adjusted config). Throwing cancels the restore cleanly.
   */
  beforePublish?: (staging: PublishStaging) => Promise<void>;
  /**
   * Runs after publishing to bring the restored databases to the current schema at once. Default:
   * migrateRestoredDatabases (DOCSight's migrations, in the SQLite worker). A failure is thrown,
   * but the restore itself stands.
   */
  migrate?: (dataDir: string, restoredFiles: DataFileName[]) => Promise<void>;
  /** Fault injection for crash tests: called before each publish step; throwing acts as a crash. */
  beforePublishStep?: PublishStepHook;
  /**
   * The archive's path when `source` reads a file: the space its data members need in the data
   * directory is then checked before anything is read (archive/read/estimate-unpacked-bytes.ts).
   * Without it, only the per-member check runs.
   */
  archivePath?: string;
  /** What the caller writes before publishing (the pre-restore backup), checked with the restore's own need. */
  spaceNeeds?: SpaceNeed[];
  /** How long publishing waits for a save of config.json by another process (CONFIG_LOCKED after it). */
  configLock?: ConfigLockOptions;
}

/** The staged files about to be published, as `beforePublish` sees them. */
export interface PublishStaging {
  /** The staged file (absolute path) of each data file to publish. */
  readonly staged: ReadonlyMap<DataFileName, string>;
  /**
   * Stages `content` (mode 0600, fsynced) to be published as `name` in the same commit as the
   * archive's files, replacing the archive's own `name` if it has one.
   */
  replace(name: DataFileName, content: Buffer | string): Promise<void>;
  /**
   * Copies of the held live databases as they are now (made on the first call, removed when the
   * restore ends): read these, not the live files, which the hold keeps closed to everyone.
   */
  liveDatabaseCopies(): Promise<Partial<Record<DatabaseFileName, string>>>;
}

export interface RestoreResult {
  /** Restored data files in archive order. */
  restoredFiles: DataFileName[];
  /** Live data files removed because the archive does not carry them. */
  removedFiles: DataFileName[];
  meta: ArchiveMeta;
  warnings: ArchiveWarning[];
  /** DOCSight's `is_configured()` on the restored config.json (false without one). */
  configured: boolean;
}

/** Restores `source` (or `prepared`) into `dataDir`; see the top comment for the guarantees at each step. */
export async function restoreBackup(options: RestoreBackupOptions): Promise<RestoreResult> {
  const { dataDir } = options;
  if ((options.source === undefined) === (options.prepared === undefined)) {
    throw new LockerError('INVALID_ARGUMENT', 'A restore needs exactly one of an archive and a prepared upload.');
  }
  if (options.prepared !== undefined && resolve(options.prepared.dataDir) !== resolve(dataDir)) {
    throw new LockerError('INVALID_ARGUMENT', `The upload was prepared for ${options.prepared.dataDir}, not ${dataDir}.`);
  }
  const createdDataDir = await prepareDataDir(dataDir);
  await recoverInterruptedRestore(dataDir);

  let prepared = options.prepared;
  let committed = false;
  let lock: LiveDatabaseLock | undefined;
  let copiesDir: string | undefined;
  const extraPaths: string[] = [];
  try {
    if (prepared === undefined) {
      prepared = await prepareRestore({ ...options, source: options.source!, dataDir });
    } else {
      // A prepared upload was checked against the space it needed when it arrived; what the caller
      // writes before publishing (the pre-restore backup) is checked now.
      await ensureFreeSpace('restore', options.spaceNeeds ?? []);
      options.onProgress?.({ phase: 'verify', bytesDone: prepared.bytesRead, bytesTotal: prepared.bytesRead });
    }
    const progress = {
      bytesDone: prepared.bytesRead,
      ...(options.bytesTotal === undefined ? {} : { bytesTotal: options.bytesTotal }),
    };

    await options.releaseHandles?.();
    lock = await LiveDatabaseLock.acquire(dataDir);
    const heldLock = lock;
    let copies: Promise<Partial<Record<DatabaseFileName, string>>> | undefined;
    const staged = new Map(prepared.staged);
    await options.beforePublish?.({
      staged,
      replace: async (name, content) => {
        const file = await writeStagedFile(dataDir, name, content, (created) => extraPaths.push(created));
        const replaced = staged.get(name);
        staged.set(name, file);
        if (replaced !== undefined) await unlinkIfPresent(replaced);
      },
      liveDatabaseCopies: () =>
        (copies ??= mkdtemp(join(dataDir, `${WORK_PREFIX}work-`)).then((dir) => {
          copiesDir = dir;
          return heldLock.freeze(dir);
        })),
    });
    // Published while no save of config.json runs (this process's or another's, such as a
    // `locker target add`): a save that read the old config.json would otherwise write it back
    // over the restored one.
    const intent = await holdConfig(
      dataDir,
      async (lease) => {
        const planned = await planPublish(dataDir, staged, heldLock);
        await syncDirectory(dataDir);
        // The point of no return: a cancel asked for until here still leaves the data dir as it was;
        // `publish` is reported before the intent is written, so a caller stops offering to cancel
        // (nothing is awaited between the check and the report).
        if (options.signal?.aborted === true)
          throw new LockerError('CANCELLED', 'The restore was cancelled; the data directory is unchanged.');
        lease.assertHeld();
        options.onProgress?.({ phase: 'publish', ...progress });
        await writeRestoreIntent(dataDir, planned);
        committed = true;
        try {
          await applyRestoreIntent(dataDir, planned, options.beforePublishStep, heldLock);
        } catch (error) {
          throw new LockerError(
            'DATA_DIR_UNUSABLE',
            'The restore was interrupted while publishing; it is completed the next time the data directory is opened',
            { cause: error, details: { dataDir } },
          );
        }
        return planned;
      },
      options.configLock,
    );
    await lock.release();
    const restoredFiles = intent.renames.map((rename) => rename.to);
    await (options.migrate ?? migrateRestoredDatabases)(dataDir, restoredFiles);
    return {
      restoredFiles,
      removedFiles: intent.removals,
      meta: prepared.meta,
      warnings: prepared.warnings,
      configured: prepared.configured,
    };
  } catch (error) {
    if (!committed) {
      // prepareRestore removed its own files when it failed; a prepared upload's files are its
      // owner's to discard (one that beforePublish replaced is gone, so a retry reads the archive).
      for (const file of extraPaths) await unlinkIfPresent(file);
      if (prepared !== undefined && options.prepared === undefined) await discardPreparedRestore(prepared);
      if (createdDataDir) {
        await lock?.release();
        if (copiesDir !== undefined) await rm(copiesDir, { recursive: true, force: true });
        await rmdir(dataDir).catch(() => undefined);
      }
    }
    throw error;
  } finally {
    await lock?.release();
    if (copiesDir !== undefined) await rm(copiesDir, { recursive: true, force: true });
  }
}

/**
 * Opens each restored database once with DOCSight's migrations (which also switch it back to WAL
 * mode, as DOCSight runs it) and closes it, in the SQLite worker thread.
 */
export async function migrateRestoredDatabases(dataDir: string, restoredFiles: DataFileName[]): Promise<void> {
  for (const name of restoredFiles) {
    if (name === HISTORY_DB) await runSqliteTask({ kind: 'migrate', database: 'history', path: join(dataDir, name) });
    if (name === CONNECTION_MONITOR_DB) {
      await runSqliteTask({ kind: 'migrate', database: 'connection_monitor', path: join(dataDir, name) });
    }
  }
}

/** Creates the data dir when missing; returns whether it did. */
async function prepareDataDir(dataDir: string): Promise<boolean> {
  try {
    const stats = await lstat(dataDir);
    if (!stats.isDirectory()) {
      throw new LockerError('DATA_DIR_UNUSABLE', `The data directory is not a directory: ${dataDir}`, { details: { dataDir } });
    }
    return false;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  return true;
}

/**
 * The renames (archive order) and the removals (live data files the archive lacks). A data file
 * name taken by a directory would make a committed publish fail, so it is refused here, before
 * the commit.
 */
async function planPublish(dataDir: string, staged: Map<DataFileName, string>, lock: LiveDatabaseLock): Promise<RestoreIntent> {
  const removals: DataFileName[] = [];
  for (const name of DATA_FILES) {
    let isDirectory: boolean;
    try {
      isDirectory = (await lstat(join(dataDir, name))).isDirectory();
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') continue;
      throw error;
    }
    if (isDirectory) {
      throw new LockerError('DATA_DIR_UNUSABLE', `${name} in the data directory is a directory; move it away and retry`, {
        details: { dataDir, name },
      });
    }
    if (!staged.has(name)) removals.push(name);
  }
  const renames = [...staged].map(([to, path]) =>
    isDatabaseFileName(to) && lock.holds(to) ? { from: basename(path), to, inPlace: true as const } : { from: basename(path), to },
  );
  return { version: 1, renames, removals };
}
