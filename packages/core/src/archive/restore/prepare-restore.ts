/**
 * The first half of a restore, which changes nothing live: read the archive once, stage each data
 * member in the data directory (same filesystem, so publishing is a rename), verify the staged
 * databases and read the staged config. The result, a PreparedRestore, is either published
 * (restore-backup.ts) or discarded.
 *
 * The server prepares an upload while it arrives, so the one pass over the bytes that validates an
 * upload also stages it, and the restore the user then confirms only publishes (the 1 GB upload +
 * restore measured in bench/server.bench.ts). Those staged files carry PREPARED_PREFIX rather
 * than RESTORE_PREFIX: a restore's crash recovery removes stray RESTORE_PREFIX files, and must not
 * take the files of an upload that waits to be restored.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { CONFIG_FILE, CONFIG_KEY_FILE, RESTORE_PREFIX, isDatabaseFileName, type DataFileName } from '../../data-dir-layout.ts';
import { LockerError } from '../../errors.ts';
import { ensureFreeSpace, type SpaceNeed } from '../../fs/ensure-free-space.ts';
import { reserveSpace, type SpaceReservation } from '../../fs/space-reservations.ts';
import type { ArchiveWarning } from '../format/archive-warning.ts';
import type { ArchiveMeta } from '../format/backup-meta.ts';
import { FREE_SPACE_MARGIN } from '../create/backup-space-needs.ts';
import { checkInstanceFiles } from './check-instance-files.ts';
import { estimateUnpackedBytes } from '../read/estimate-unpacked-bytes.ts';
import { readArchive, type ArchiveMemberDigest, type ArchiveSource, type ReadArchiveOptions } from '../read/read-archive.ts';
import { isDocsightConfigured, readStagedConfig } from './read-staged-config.ts';
import { describeRestoredConfig, type RestoredConfig } from '../../config/restored-config.ts';
import type { ConfigRecord } from '../../config/config-schema.ts';
import { removeSqliteSidecars, unlinkIfPresent } from './restore-work-files.ts';
import { warmSqliteWorker } from '../../db/run-sqlite-task.ts';
import { clearWalFlag } from '../format/sqlite-header.ts';
import { stageMember } from '../read/stage-member.ts';
import { startStagedFileDigest } from '../read/staged-file-digest.ts';
import { verifyStagedDatabase } from '../read/verify-staged-database.ts';

export interface PrepareRestoreOptions extends ReadArchiveOptions {
  /** The archive. */
  source: ArchiveSource;
  /** The data directory to stage in (it must exist). */
  dataDir: string;
  /** The archive's path when `source` reads a file: its need is then checked before reading. */
  archivePath?: string;
  /** What else will be written before publishing (a pre-restore backup), checked with the need. */
  spaceNeeds?: SpaceNeed[];
  /** Name prefix of the staged files; default RESTORE_PREFIX. */
  stagingPrefix?: string;
}

/** A verified archive staged in its data directory, not yet published. */
export interface PreparedRestore {
  dataDir: string;
  /** Staged file (absolute path) of each data member, in archive order. */
  staged: Map<DataFileName, string>;
  meta: ArchiveMeta;
  /** Data members with their real size and SHA-256, in archive order. */
  members: ArchiveMemberDigest[];
  /** Accepted member names in archive order, `backup_meta.json` included. */
  files: string[];
  warnings: ArchiveWarning[];
  /** DOCSight's `is_configured()` on the archive's config.json (false without one). */
  configured: boolean;
  /**
   * What restoring the archive's config.json gives (config/restored-config.ts: the same rule the
   * restore applies, so a preview says what the restored instance is); null without one.
   */
  restoredConfig: RestoredConfig | null;
  /** Compressed bytes read. */
  bytesRead: number;
}

/**
 * Reads, stages and verifies `source` (see the file comment). On any failure every staged file is
 * removed before the error is thrown, and a file `source` is closed.
 */
export async function prepareRestore(options: PrepareRestoreOptions): Promise<PreparedRestore> {
  const { dataDir } = options;
  const prefix = options.stagingPrefix ?? RESTORE_PREFIX;
  const staged = new Map<DataFileName, string>();
  const stagedPaths: string[] = [];
  // Per staged member: its fsync, its read-back digest and, for a database, the integrity check.
  // They run while the rest of the archive is read and are awaited, in archive order, before the
  // result is trusted (and before a failure is reported, so none of them outlives the call).
  const checks: Promise<void>[] = [];
  const reservations: SpaceReservation[] = [];
  warmSqliteWorker();
  try {
    const unpacked = options.archivePath === undefined ? 0 : await estimateUnpackedBytes(options.archivePath);
    await ensureFreeSpace('restore', [{ dir: dataDir, bytes: unpacked + FREE_SPACE_MARGIN }, ...(options.spaceNeeds ?? [])]);
    const read = await readArchive(
      options.source,
      async (member, content) => {
        // A stream's size is known only member by member: each one must fit before it is staged,
        // beside what other uploads and restores still write (space-reservations.ts).
        const reservation = await reserveSpace('restore', dataDir, member.size, FREE_SPACE_MARGIN);
        reservations.push(reservation);
        const { path, synced } = await stageMember(dataDir, member.name, content, (created) => stagedPaths.push(created), {
          prefix,
          onChunk: stagingCheck(member.name, reservation),
        });
        void observed(synced.finally(() => reservation.release()));
        staged.set(member.name, path);
        checks.push(synced);
        // Hashed by reading the file back (archive/read/staged-file-digest.ts); its header is read
        // before the integrity check clears the WAL flag there.
        const digest = await startStagedFileDigest(path);
        checks.push(observed(digest.sha256.then(() => undefined)));
        if (isDatabaseFileName(member.name)) checks.push(observed(checkStagedDatabase(member.name, path)));
        return digest;
      },
      { ...options, sinkDigests: true },
    );
    if (staged.size === 0) {
      throw new LockerError('ARCHIVE_NO_DATA', 'The backup holds no data files, so there is nothing to restore');
    }
    options.onProgress?.({
      phase: 'verify',
      bytesDone: read.bytesRead,
      ...(options.bytesTotal === undefined ? {} : { bytesTotal: options.bytesTotal }),
    });
    await firstFailure(checks);
    const configPath = staged.get(CONFIG_FILE);
    await checkInstanceFiles({ configPath, configKeyPath: staged.get(CONFIG_KEY_FILE) });
    const config = configPath === undefined ? undefined : await readStagedConfig(configPath);
    const configured = config === undefined ? false : isDocsightConfigured(config);
    // readStagedConfig returns parsed JSON, so it is a JSON object.
    const restoredConfig = config === undefined ? null : describeRestoredConfig(config as ConfigRecord);
    return {
      dataDir,
      staged,
      meta: read.meta,
      members: read.members,
      files: read.files,
      warnings: read.warnings,
      configured,
      restoredConfig,
      bytesRead: read.bytesRead,
    };
  } catch (error) {
    // A refusal before the read (no space) must not leave the caller's file stream open.
    if (options.source instanceof Readable) options.source.destroy();
    await Promise.allSettled(checks);
    await removeStagedFiles(dataDir, stagedPaths);
    throw error;
  } finally {
    for (const reservation of reservations) reservation.release();
  }
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Sees a member's bytes on their way to its staging file: counts them off its space reservation,
 * and refuses a database whose first bytes are not SQLite's header at once, before gigabytes of
 * something else (a "database" of zeros) are written.
 */
function stagingCheck(name: string, reservation: SpaceReservation): (chunk: Buffer) => void {
  const database = isDatabaseFileName(name);
  let head = Buffer.alloc(0);
  return (chunk) => {
    reservation.consume(chunk.length);
    if (!database || head.length >= SQLITE_MAGIC.length) return;
    head = Buffer.concat([head, chunk.subarray(0, SQLITE_MAGIC.length - head.length)]);
    if (!SQLITE_MAGIC.subarray(0, head.length).equals(head)) {
      throw new LockerError('DATABASE_CORRUPT', `Restored database failed verification: ${name} (file is not a database)`, {
        details: { name, sqliteCode: 'SQLITE_NOTADB' },
      });
    }
  };
}

/**
 * A staged database made rollback-mode (archive/format/sqlite-header.ts), then SQLite's integrity
 * check.
 */
export async function checkStagedDatabase(name: string, path: string): Promise<void> {
  await clearWalFlag(path);
  await verifyStagedDatabase(name, path);
}

/** `promise`, marked as handled: it is awaited later, and a failure until then is not "unhandled". */
export function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Waits for every promise; then throws the first failure in list order, if any. */
export async function firstFailure(promises: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Removes the staged files of a prepared restore that will not be published (missing ones are fine). */
export async function discardPreparedRestore(prepared: PreparedRestore): Promise<void> {
  await removeStagedFiles(prepared.dataDir, [...prepared.staged.values()]);
}

/** True while every staged file of `prepared` is still there (a server restart sweeps them). */
export async function preparedRestoreIntact(prepared: PreparedRestore): Promise<boolean> {
  for (const path of prepared.staged.values()) {
    if (
      !(await stat(path).then(
        (stats) => stats.isFile(),
        () => false,
      ))
    )
      return false;
  }
  return true;
}

async function removeStagedFiles(dataDir: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    await unlinkIfPresent(path);
    await removeSqliteSidecars(dataDir, basename(path));
  }
}
