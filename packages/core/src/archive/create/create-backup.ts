/**
 * Creates a DOCSight-compatible backup archive.
 *
 * Archive layout (gzip of a ustar tar, bare member names, regular files only):
 *   backup_meta.json, docsis_history.db, connection_monitor.db, config.json, .config_key,
 *   .session_key, .auth_state  (those present, always in this order)
 * The gzip stream is several concatenated members: one for the meta, one per 2 MiB of the body
 * (compressed in parallel, see parallel-gzip.ts) and one for the end-of-archive marker. The meta
 * lists the compressed size of every member after its own (`gzip_members`), so a reader can
 * inflate them in parallel too (archive/read/inflate-archive.ts).
 *
 * Phases, each reported through `onProgress` with its own byte total:
 *   waiting   only when another backup of this process runs: they take turns (backup-turns.ts);
 *   snapshot  a worker thread copies both databases (a file copy under a read transaction, or
 *             VACUUM INTO: snapshot-database.ts), strips demo rows, compacts and counts them, inside `.evidence-locker-work-*` in the data directory (same filesystem,
 *             so no live data crosses devices and the work dir is easy to sweep after a crash);
 *   compress  the body is tar-framed, hashed and compressed into a spool file in the work dir;
 *             each database chunk whose digest the newest backup in the same directory lists is
 *             taken over from it instead of compressed again (reuse-previous-members.ts), so the
 *             archive is the same bytes a full backup would be, for the cost of what changed;
 *   write     meta + spool + trailer go to the destination: a stream (download), or a
 *             `.evidence-locker-partial-*` file in the backup dir that is fsynced and then published
 *             under `docsight_backup_<local time>.tar.gz` without overwriting anything. With `seal`
 *             the same bytes pass through age on the way (seal/seal-stream.ts) and the name gains
 *             `.age`: `age -d` gives back exactly the plain archive.
 * Whatever happens, the work dir and the partial file are removed before the promise settles.
 */
import { pythonUtcIsoformat } from '../../db/python-utc-isoformat.ts';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { errnoCode, isDiskFullErrno, isLockerError, LockerError } from '../../errors.ts';
import {
  CONFIG_FILE,
  CONFIG_KEY_FILE,
  CONNECTION_MONITOR_DB,
  HISTORY_DB,
  META_FILE,
  WORK_PREFIX,
  type DatabaseFileName,
} from '../../data-dir-layout.ts';
import {
  BACKUP_MAGIC,
  FORMAT_VERSION,
  MAX_DIGESTED_MEMBERS,
  MAX_INDEXED_MEMBER_INFLATED,
  MAX_INDEXED_MEMBERS,
  serializeMeta,
  type BackupMeta,
  type GzipSettings,
  type BackupTrigger,
} from '../format/backup-meta.ts';
import { backupFileName } from '../format/backup-file-name.ts';
import { takeBackupTurn } from './backup-turns.ts';
import { backupSpaceNeeds } from './backup-space-needs.ts';
import { ensureFreeSpace } from '../../fs/ensure-free-space.ts';
import { ensureBackupDirWritable } from '../../backup-dir/ensure-backup-dir-writable.ts';
import { DEFAULT_GZIP_CHUNK_SIZE, DEFAULT_GZIP_LEVELS, type ParallelGzipOptions } from './parallel-gzip.ts';
import { GZIP_MEM_LEVEL } from './gzip-lane.ts';
import {
  configKeySha256,
  openPreviousMembers,
  ReusedMemberDamaged,
  type ChunkReuseReport,
  type FullBackupReason,
  type OpenPreviousResult,
} from './reuse-previous-members.ts';
import { publishBackupFile } from './publish-backup-file.ts';
import { snapshotDatabases } from './snapshot-databases.ts';
import type { SnapshotRun } from './run-snapshot-worker.ts';
import { tarPadding, tarTrailer, ustarHeader } from '../format/ustar-header.ts';
import { crc32Hex, memberTarSize, writeArchiveBody, type ArchiveBody, type ArchiveMemberSource } from './write-archive-body.ts';
import { archiveChunks, writeArchiveFile, writeStreamFile } from './write-archive-file.ts';
import { encrypterFor, type SealKey } from '../../seal/seal-key.ts';
import { sealSizedStream } from '../../seal/seal-stream.ts';
import { SEALED_SUFFIX, sealedArchiveName } from '../../seal/sealed-archive-name.ts';

const gzipAsync = promisify(zlib.gzip);

export const EVIDENCE_LOCKER_VERSION = '0.1.0';
/** Default `app_version` of the meta (DOCSight shows it in its restore wizard). */
export const DEFAULT_APP_VERSION = `evidence-locker-${EVIDENCE_LOCKER_VERSION}`;
const GENERATOR = `evidence-locker ${EVIDENCE_LOCKER_VERSION}`;

/**
 * Small files archived after the databases, in DOCSight's order; 0600 like DOCSight's own.
 * `.session_key` and `.auth_state` are left out on purpose (docs/docsight-compatibility.md, D11):
 * the session signing key would let anyone holding the archive forge a login cookie, and restoring
 * it is useless anyway, since a restore must log everyone out. DOCSight restores such an archive
 * fine: it keeps or creates its own session key and rewrites the fingerprint.
 */
const PRIVATE_FILES = [CONFIG_FILE, CONFIG_KEY_FILE] as const;
const PRIVATE_MODE = 0o600;
const PUBLIC_MODE = 0o644;

export type BackupDestination = { kind: 'directory'; backupDir: string } | { kind: 'stream'; stream: Writable };

/** `waiting`: another backup of this process runs first (backup-turns.ts). */
export type BackupPhase = 'waiting' | 'snapshot' | 'compress' | 'write';

/** Progress of one phase; `bytesDone` never decreases within a phase and ends equal to `bytesTotal`. */
export interface BackupProgress {
  phase: BackupPhase;
  bytesDone: number;
  bytesTotal: number;
}

export interface CreateBackupOptions {
  dataDir: string;
  destination: BackupDestination;
  trigger: BackupTrigger;
  /** `app_version` written to the meta. Default `evidence-locker-<version>`. */
  appVersion?: string;
  /** Time of the backup (meta timestamp, file name, member mtimes). Default: now. */
  now?: Date;
  /** Called as each phase advances. An exception thrown here fails the backup (cleanly). */
  onProgress?: (progress: BackupProgress) => void;
  /** Aborting cancels with a `CANCELLED` error and leaves nothing behind. */
  signal?: AbortSignal;
  /** Compression tuning; the defaults are measured (parallel-gzip.ts). */
  gzip?: ParallelGzipOptions;
  /**
   * Where to read a database instead of `dataDir` (a restore's copies of the live files it holds,
   * archive/restore/live-database-lock.ts). The archive still names it as in a data directory.
   */
  databaseSources?: Partial<Record<DatabaseFileName, string>>;
  /** Seal the archive with age for these recipients or this passphrase (a `….tar.gz.age`). */
  seal?: SealKey | undefined;
  /**
   * Taking over unchanged chunks from the newest backup in the backup directory (directory
   * destinations; reuse-previous-members.ts). `false` compresses everything. `identities` open a
   * sealed previous backup; `verifyFraction` is the share of taken-over chunks inflated and
   * compared (default 1/32; every one's header, CRC-32 and length are checked regardless).
   */
  reuse?: false | { identities?: readonly string[] | undefined; verifyFraction?: number | undefined } | undefined;
}

export interface CreateBackupResult {
  /** The archive's name; for a stream, the name a download should be offered under. */
  fileName: string;
  /** Absolute path of the published archive (directory destinations only). */
  path?: string;
  /** Archive size in bytes (the sealed file's, when sealed). */
  size: number;
  /** True when the archive was sealed with age. */
  sealed: boolean;
  meta: BackupMeta;
  /** Demo rows left out of the copies (both databases). */
  demoRowsRemoved: number;
  /** What was taken over from the previous backup, or why nothing was. */
  reuse: ChunkReuseReport;
}

function cancelled(cause?: unknown): LockerError {
  return new LockerError('CANCELLED', 'The backup was cancelled.', cause === undefined ? {} : { cause });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

async function statFile(file: string): Promise<fs.Stats | undefined> {
  try {
    const stats = await fs.promises.stat(file);
    return stats.isFile() ? stats : undefined;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function prepareDirectories(options: CreateBackupOptions): Promise<void> {
  const stats = await fs.promises.stat(options.dataDir).catch(() => undefined);
  if (!stats?.isDirectory()) {
    throw new LockerError('DATA_DIR_UNUSABLE', `The data directory does not exist: ${options.dataDir}`, {
      details: { dataDir: options.dataDir },
    });
  }
  if (options.destination.kind === 'directory') {
    const { backupDir } = options.destination;
    // Created when missing (the CLI names it explicitly); the server refuses a missing one first.
    // Whatever is wrong is then said with the path, the uid and the fix.
    await fs.promises.mkdir(backupDir, { recursive: true }).catch(() => undefined);
    await ensureBackupDirWritable(backupDir);
  }
}

async function readPrivateFiles(dataDir: string, mtime: number): Promise<ArchiveMemberSource[]> {
  const members: ArchiveMemberSource[] = [];
  for (const name of PRIVATE_FILES) {
    let data: Buffer;
    let stats: fs.Stats;
    try {
      const handle = await fs.promises.open(path.join(dataDir, name), 'r');
      try {
        stats = await handle.stat();
        if (!stats.isFile()) continue;
        data = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') continue;
      throw error;
    }
    members.push({ name, mode: PRIVATE_MODE, mtime: Math.floor(stats.mtimeMs / 1000) || mtime, size: data.length, data });
  }
  return members;
}

function metaMember(meta: BackupMeta, mtime: number): Buffer {
  const json = Buffer.from(serializeMeta(meta), 'utf8');
  return Buffer.concat([ustarHeader({ name: META_FILE, size: json.length, mode: PUBLIC_MODE, mtime }), json, tarPadding(json.length)]);
}

/**
 * The gzip members of the meta (`head`) and of the end-of-archive marker (`tail`), with
 * `gzip_members` (the body's members, then the tail) added to `meta` when the body members are
 * small enough for a reader to index. The tail's padding depends on the meta's length, which
 * depends on the tail's compressed size; a few rounds settle it (the size of a gzipped run of zeros
 * hardly varies), and the index is left out if they do not.
 */
async function compressHeadAndTail(
  meta: BackupMeta,
  body: ArchiveBody,
  mtime: number,
  chunkSize: number,
  settings: GzipSettings | undefined,
): Promise<{ head: Buffer; tail: Buffer }> {
  const indexable = chunkSize <= MAX_INDEXED_MEMBER_INFLATED && body.gzipMembers.length + 1 <= MAX_INDEXED_MEMBERS;
  const digested = settings !== undefined && body.gzipMembers.length + 1 <= MAX_DIGESTED_MEMBERS;
  let tailSize = 0;
  for (let round = 0; indexable && round < 4; round += 1) {
    meta.gzip_members = [...body.gzipMembers, Math.max(tailSize, 1)];
    // The digests' length is fixed, so the tail's size settles as it did without them.
    if (digested) {
      meta.gzip_member_sha256 = [...body.gzipMemberDigests, '0'.repeat(64)];
      meta.gzip_member_crc32 = [...body.gzipMemberCrcs, '0'.repeat(8)];
      meta.gzip_settings = settings;
    }
    const trailer = tarTrailer(metaMember(meta, mtime).length + body.tarBytes);
    const tail = await gzipAsync(trailer, { level: 9 });
    if (digested) {
      meta.gzip_member_sha256 = [...body.gzipMemberDigests, createHash('sha256').update(trailer).digest('hex')];
      meta.gzip_member_crc32 = [...body.gzipMemberCrcs, crc32Hex(zlib.crc32(tail))];
    }
    const metaTar = metaMember(meta, mtime);
    if (tail.length === tailSize) return { head: await gzipAsync(metaTar, { level: 9 }), tail };
    tailSize = tail.length;
  }
  delete meta.gzip_members;
  delete meta.gzip_member_sha256;
  delete meta.gzip_member_crc32;
  delete meta.gzip_settings;
  const metaTar = metaMember(meta, mtime);
  const tail = await gzipAsync(tarTrailer(metaTar.length + body.tarBytes), { level: 9 });
  return { head: await gzipAsync(metaTar, { level: 9 }), tail };
}

/**
 * The settings the body is compressed with, as the meta records them; undefined when members are
 * compressed at a cycle of levels, which no later backup takes members over from.
 */
function gzipSettingsOf(options: CreateBackupOptions): GzipSettings | undefined {
  const levels = options.gzip?.levels && options.gzip.levels.length > 0 ? options.gzip.levels : DEFAULT_GZIP_LEVELS;
  if (levels.length !== 1) return undefined;
  return {
    chunk_size: options.gzip?.chunkSize ?? DEFAULT_GZIP_CHUNK_SIZE,
    level: levels[0]!,
    mem_level: GZIP_MEM_LEVEL,
    zlib: process.versions.zlib ?? 'unknown',
    sample_sha256: compressorFingerprint(levels[0]!),
  };
}

const fingerprints = new Map<number, string>();

/**
 * SHA-256 of a fixed 256 KiB sample (text-like and random-like parts, so every match finder is
 * exercised) compressed at `level` the way the body's members are: once per level and process.
 */
function compressorFingerprint(level: number): string {
  let known = fingerprints.get(level);
  if (known === undefined) {
    const sample = Buffer.alloc(256 * 1024);
    let state = 0x12345678;
    for (let index = 0; index < sample.length; index += 1) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      // Half the sample repeats short words (like JSON), half is noise.
      sample[index] = index < sample.length / 2 ? 97 + ((state >>> 16) % 8) : state >>> 24;
    }
    const member = zlib.gzipSync(sample, { level, memLevel: GZIP_MEM_LEVEL });
    known = createHash('sha256').update(member).digest('hex');
    fingerprints.set(level, known);
  }
  return known;
}

/** Why a backup may not look at a previous one at all, or undefined when it may. */
function reuseOffReason(
  options: CreateBackupOptions,
  settings: GzipSettings | undefined,
): { reason: FullBackupReason; detail: string } | undefined {
  if (options.reuse === false) return { reason: 'off', detail: 'Taking over chunks of the previous backup was turned off.' };
  if (options.destination.kind === 'stream') return { reason: 'stream', detail: 'A download is always compressed in full.' };
  if (settings === undefined) return { reason: 'settings-differ', detail: 'This backup compresses at a cycle of gzip levels.' };
  return undefined;
}

function mapError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (isLockerError(error)) return error;
  if (signal?.aborted || (error instanceof Error && error.name === 'AbortError')) return cancelled(error);
  const code = errnoCode(error);
  if (isDiskFullErrno(code)) {
    return new LockerError('DISK_FULL', 'The disk filled up while the backup was written.', { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new LockerError('PERMISSION_DENIED', 'Permission denied while the backup was written.', { cause: error });
  }
  return error;
}

/** Creates one backup archive of `dataDir` (see the file comment for layout and phases). */
export async function createBackup(options: CreateBackupOptions): Promise<CreateBackupResult> {
  const { signal } = options;
  const now = options.now ?? new Date();
  const mtime = Math.floor(now.getTime() / 1000);
  throwIfAborted(signal);
  // A malformed recipient or an empty passphrase is refused before any work (SEAL_KEY_INVALID).
  if (options.seal !== undefined) encrypterFor(options.seal);
  await prepareDirectories(options);
  const endTurn = await takeBackupTurn(signal, () => options.onProgress?.({ phase: 'waiting', bytesDone: 0, bytesTotal: 0 }));
  try {
    return await createBackupInTurn(options, now, mtime, endTurn);
  } finally {
    endTurn();
  }
}

/**
 * The backup once it has its turn; `endTurn` is called as soon as the heavy phases are done, so a
 * slow download client does not hold up the next backup while it reads the finished archive.
 */
async function createBackupInTurn(
  options: CreateBackupOptions,
  now: Date,
  mtime: number,
  endTurn: () => void,
): Promise<CreateBackupResult> {
  const { dataDir, destination, signal } = options;
  const databases: { name: string; sourcePath: string; size: number }[] = [];
  for (const name of [HISTORY_DB, CONNECTION_MONITOR_DB] as const) {
    const sourcePath = options.databaseSources?.[name] ?? path.join(dataDir, name);
    const stats = await statFile(sourcePath);
    if (stats) databases.push({ name, sourcePath, size: stats.size });
  }
  const spaceNeeds = await backupSpaceNeeds(dataDir, destination.kind === 'directory' ? destination.backupDir : undefined);
  await ensureFreeSpace('backup', spaceNeeds);

  const workDir = await fs.promises.mkdtemp(path.join(dataDir, `${WORK_PREFIX}work-`));
  let tempPath: string | undefined;
  let sealedStream: Readable | undefined;
  const settings = gzipSettingsOf(options);
  const off = reuseOffReason(options, settings);
  // Opened beside the snapshot (a sealed one is decrypted meanwhile); closed whatever happens.
  const opening: Promise<OpenPreviousResult> | undefined =
    off === undefined && destination.kind === 'directory'
      ? configKeySha256(dataDir)
          .then((keySha256) =>
            openPreviousMembers({
              backupDir: destination.backupDir,
              workDir,
              settings: settings!,
              configKeySha256: keySha256,
              identities: options.reuse ? options.reuse.identities : undefined,
              verifyFraction: options.reuse ? options.reuse.verifyFraction : undefined,
            }),
          )
          .catch((error: unknown) => ({
            ok: false as const,
            reason: 'unreadable' as const,
            detail: `The previous backup could not be read: ${error instanceof Error ? error.message : String(error)}`,
            fileName: null,
          }))
      : undefined;
  let snapshotRun: SnapshotRun | undefined;
  try {
    // A live database that needs no changes is read in place while its snapshot is held (no copy
    // of a gigabyte); released right after the body is compressed.
    snapshotRun = await snapshotDatabases(workDir, databases, {
      ...(signal ? { signal } : {}),
      hold: true,
      onProgress: (bytesDone, bytesTotal) => options.onProgress?.({ phase: 'snapshot', bytesDone, bytesTotal }),
    });
    const { snapshots } = snapshotRun;
    throwIfAborted(signal);
    const members: ArchiveMemberSource[] = snapshots.map((snapshot, index) => ({
      name: databases[index]!.name,
      mode: PUBLIC_MODE,
      mtime,
      size: snapshot.size,
      path: snapshot.copyPath,
      held: snapshot.held,
    }));
    members.push(...(await readPrivateFiles(dataDir, mtime)));

    const bodyTotal = members.reduce((sum, member) => sum + memberTarSize(member.size), 0);
    const spoolPath = path.join(workDir, 'body.gz');
    const opened = opening ? await opening : undefined;
    const previous = opened?.ok ? opened.previous : undefined;
    // A body started again after a damaged member counts on from where the first try got to, so
    // the phase's progress never goes back.
    let compressed = 0;
    const reportCompressed = (bytesDone: number): void => {
      compressed = Math.max(compressed, bytesDone);
      options.onProgress?.({ phase: 'compress', bytesDone: compressed, bytesTotal: bodyTotal });
    };
    reportCompressed(0);
    const compress = (reuse: boolean): Promise<ArchiveBody> =>
      writeArchiveBody(members, spoolPath, {
        ...(options.gzip ? { gzip: options.gzip } : {}),
        ...(signal ? { signal } : {}),
        ...(reuse && previous ? { reuse: previous.reuse } : {}),
        onBytes: reportCompressed,
      });
    let body: ArchiveBody;
    let reuse: ChunkReuseReport;
    try {
      body = await compress(true);
      reuse = {
        previous: previous && body.membersReused > 0 ? previous.fileName : null,
        fullReason: null,
        detail: null,
        membersReused: body.membersReused,
        membersCompressed: body.gzipMembers.length - body.membersReused,
        bytesReused: body.bytesReused,
        membersInflated: previous?.inflated() ?? 0,
      };
      if (off) Object.assign(reuse, { fullReason: off.reason, detail: off.detail });
      else if (opened && !opened.ok) Object.assign(reuse, { fullReason: opened.reason, detail: opened.detail });
      else if (previous && body.membersReused === 0) {
        Object.assign(reuse, {
          fullReason: 'no-match',
          detail: `No chunk of ${previous.fileName} holds the same bytes as a chunk of this backup.`,
        });
      }
    } catch (error) {
      if (!(error instanceof ReusedMemberDamaged)) throw error;
      // Never let a damaged old backup damage this one: start again, compressing everything.
      await fs.promises.rm(spoolPath, { force: true });
      body = await compress(false);
      reuse = {
        previous: null,
        fullReason: error.reason,
        detail: `${error.message[0]!.toUpperCase()}${error.message.slice(1)}; this backup was compressed in full.`,
        membersReused: 0,
        membersCompressed: body.gzipMembers.length,
        bytesReused: 0,
        membersInflated: previous?.inflated() ?? 0,
      };
    } finally {
      await previous?.close();
    }
    // The live files were read under the pins; a worker that ended early leaves that unproven.
    const lost = snapshotRun.lost();
    await snapshotRun.release();
    snapshotRun = undefined;
    throwIfAborted(signal);
    if (lost) throw new Error('The database snapshot was let go before the backup had read it; nothing was written.');
    throwIfAborted(signal);

    const history = snapshots[databases.findIndex((db) => db.name === HISTORY_DB)];
    const monitor = snapshots[databases.findIndex((db) => db.name === CONNECTION_MONITOR_DB)];
    const meta: BackupMeta = {
      magic: BACKUP_MAGIC,
      format_version: FORMAT_VERSION,
      timestamp: pythonUtcIsoformat(now),
      app_version: options.appVersion ?? DEFAULT_APP_VERSION,
      tables: history?.tables ?? {},
      members: body.digests,
      connection_monitor_tables: monitor?.tables ?? {},
      trigger: options.trigger,
      generator: GENERATOR,
    };
    const { head, tail } = await compressHeadAndTail(meta, body, mtime, options.gzip?.chunkSize ?? DEFAULT_GZIP_CHUNK_SIZE, settings);
    const plainSize = head.length + (await fs.promises.stat(spoolPath)).size + tail.length;
    const parts = { head, spoolPath, tail };
    const sealed =
      options.seal === undefined ? undefined : await sealSizedStream(Readable.from(archiveChunks(parts)), plainSize, options.seal);
    sealedStream = sealed?.stream;
    const size = sealed?.size ?? plainSize;
    endTurn();
    const reportWrite = (bytesDone: number): void => options.onProgress?.({ phase: 'write', bytesDone, bytesTotal: size });
    reportWrite(0);
    const demoRowsRemoved = snapshots.reduce((sum, snapshot) => sum + snapshot.demoRowsRemoved, 0);
    const plainName = backupFileName(now);

    if (destination.kind === 'stream') {
      let written = 0;
      await pipeline(
        async function* () {
          for await (const chunk of sealed?.stream ?? archiveChunks(parts)) {
            written += (chunk as Buffer).length;
            reportWrite(written);
            yield chunk as Buffer;
          }
        },
        destination.stream,
        ...(signal ? [{ signal }] : []),
      );
      return {
        fileName: sealed ? sealedArchiveName(plainName) : plainName,
        size,
        sealed: sealed !== undefined,
        meta,
        demoRowsRemoved,
        reuse,
      };
    }

    const { backupDir } = destination;
    await ensureFreeSpace('backup', [{ dir: backupDir, bytes: size }]);
    tempPath = path.join(backupDir, `${WORK_PREFIX}partial-${randomBytes(8).toString('hex')}.tar.gz${sealed ? SEALED_SUFFIX : ''}`);
    const writeOptions = { mode: PRIVATE_MODE, signal, onBytes: reportWrite };
    if (sealed) await writeStreamFile(sealed.stream, tempPath, writeOptions);
    else await writeArchiveFile(parts, tempPath, writeOptions);
    throwIfAborted(signal);
    const fileName = await publishBackupFile(tempPath, backupDir, now, { sealed: sealed !== undefined });
    tempPath = undefined;
    return { fileName, path: path.resolve(backupDir, fileName), size, sealed: sealed !== undefined, meta, demoRowsRemoved, reuse };
  } catch (error) {
    throw mapError(error, signal);
  } finally {
    await snapshotRun?.release();
    // A previous backup opened while the snapshot failed is closed here.
    await opening?.then((opened) => (opened.ok ? opened.previous.close() : undefined)).catch(() => undefined);
    sealedStream?.destroy();
    if (tempPath) await fs.promises.rm(tempPath, { force: true });
    await fs.promises.rm(workDir, { recursive: true, force: true });
  }
}
