/**
 * Takes over the compressed chunks of yesterday's backup: a day of DOCSight's polling changes well
 * under 1 % of a large history, and compressing the other 99 % again is most of a backup's cost.
 *
 * The previous backup is the newest one in the same backup directory (list-backups.ts order). It is
 * used only when it can be trusted; otherwise the backup is a full one and `fullReason` says why:
 *   no-previous       the directory holds no backup yet;
 *   unreadable        its meta cannot be read (not ours, cut short, not gzip, a read error);
 *   no-index          it lists no member digests (DOCSight's, or made before they existed);
 *   settings-differ   another chunk size, gzip level, memory level, zlib or CPU made it;
 *   other-instance    its `.config_key` is not this data directory's;
 *   sealed-other-key  it is sealed, and no key given here opens it;
 *   damaged           its member index does not add up, or a member failed a check below (the
 *                     backup then starts again as a full one: create-backup.ts; `unreadable`
 *                     when reading a member failed);
 *   no-match          none of its chunks holds the same bytes as one of this backup (after a
 *                     VACUUM, which moves most pages).
 * A sealed previous backup is opened into the work directory first (its compressed size, about
 * 7 % of the data) and read like a plain one.
 *
 * A member is offered by the SHA-256 of its uncompressed bytes (`gzip_member_sha256` of the meta,
 * written by write-archive-body.ts): when the new chunk has the same digest, the previous member's
 * bytes are what compressing the chunk gives, with the same settings (zlib is deterministic), so
 * the new archive is byte-for-byte the full backup it stands for. Before a member is used it is
 * checked: the CRC-32 of its compressed bytes must be the one the meta lists (`gzip_member_crc32`,
 * so a byte changed on the disk anywhere in it is caught and never copied on into every later
 * backup), its gzip header exactly the compressor's, its trailer's CRC-32 and length those of the
 * new chunk, and a sampled fraction (`verifyFraction`) is inflated and compared byte for byte. A
 * failed check rejects with ReusedMemberDamaged.
 */
import { createHash, randomInt } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { z } from 'zod';
import { listBackups } from '../../backup-dir/list-backups.ts';
import { isSealedFile, peekArchiveMeta } from '../../backup-dir/peek-archive-meta.ts';
import { CONFIG_KEY_FILE } from '../../data-dir-layout.ts';
import { errnoCode, isLockerError } from '../../errors.ts';
import { openSealedStream } from '../../seal/open-sealed-stream.ts';
import {
  GzipMemberCrcsSchema,
  GzipMemberDigestsSchema,
  GzipMemberIndexSchema,
  GzipSettingsSchema,
  type GzipSettings,
} from '../format/backup-meta.ts';
import { crc32Hex } from './write-archive-body.ts';
import type { GzipMemberReuse } from './parallel-gzip.ts';

/** Why a backup compressed everything (see the file comment); `off` and `stream` were not asked to. */
export const FULL_BACKUP_REASONS = [
  'off',
  'stream',
  'no-previous',
  'unreadable',
  'no-index',
  'settings-differ',
  'other-instance',
  'sealed-other-key',
  'damaged',
  'no-match',
] as const;
export type FullBackupReason = (typeof FULL_BACKUP_REASONS)[number];

/**
 * What a backup took over from the previous one (CreateBackupResult.reuse); the server's backup
 * job result carries it as it is.
 */
export const ChunkReuseReportSchema = z.object({
  /** File name of the backup whose members were taken over; null for a full backup. */
  previous: z.string().nullable(),
  /** Why this is a full backup; null when members were taken over. */
  fullReason: z.enum(FULL_BACKUP_REASONS).nullable(),
  /** The reason in English words, with the file and what failed. */
  detail: z.string().nullable(),
  /** Body members copied from `previous`. */
  membersReused: z.number().int().nonnegative(),
  /** Body members compressed by this backup. */
  membersCompressed: z.number().int().nonnegative(),
  /** Uncompressed bytes the copied members stand for. */
  bytesReused: z.number().int().nonnegative(),
  /** Copied members that were inflated and compared with the new chunk (the sample). */
  membersInflated: z.number().int().nonnegative(),
});
export type ChunkReuseReport = z.infer<typeof ChunkReuseReportSchema>;

/**
 * The share of taken-over members inflated and compared. Every member's gzip header, CRC-32 and
 * length are checked against the new chunk anyway, and the server verifies every scheduled backup
 * in full right after it was made (apps/server verify-scheduled-backup.ts), so the sample only has
 * to catch early a member whose deflate data changed while its trailer did not. Measured on the
 * 1 GB history (489 members taken over): inflating one in eight cost 0.3 s of CPU (4.5 ms a member)
 * and 19 MB of peak RSS; one in 32 costs 0.08 s and 4 MB. Each member is then inflated about once
 * in a month of daily backups.
 */
export const DEFAULT_VERIFY_FRACTION = 1 / 32;

/** A member of the previous backup failed a check: the backup starts again as a full one. */
export class ReusedMemberDamaged extends Error {
  constructor(
    readonly fileName: string,
    readonly memberNumber: number,
    readonly what: string,
    readonly reason: 'damaged' | 'unreadable' = 'damaged',
  ) {
    super(`member ${memberNumber} of ${fileName} ${what}`);
    this.name = 'ReusedMemberDamaged';
  }
}

export interface OpenPreviousOptions {
  backupDir: string;
  /** Scratch space for opening a sealed previous backup (removed with it by the caller). */
  workDir: string;
  /** The settings this backup compresses with; the previous one must have been made with them. */
  settings: GzipSettings;
  /** SHA-256 of this data directory's `.config_key`, or null when it has none. */
  configKeySha256: string | null;
  /** Identities that may open a sealed previous backup. */
  identities?: readonly string[] | undefined;
  /** Share of taken-over members inflated and compared; default DEFAULT_VERIFY_FRACTION. */
  verifyFraction?: number | undefined;
}

/** An open previous backup whose members can be taken over. */
export interface PreviousMembers {
  fileName: string;
  /** For ParallelGzipWriter: the checked member for a digest it holds. */
  reuse: GzipMemberReuse;
  /** Members inflated and compared so far. */
  inflated(): number;
  close(): Promise<void>;
}

export type OpenPreviousResult =
  { ok: true; previous: PreviousMembers } | { ok: false; reason: FullBackupReason; detail: string; fileName: string | null };

interface MemberLocation {
  offset: number;
  length: number;
  number: number;
  /** CRC-32 of the compressed bytes, as the meta lists it. */
  crc32: string;
}

const GZIP_HEADER_BYTES = 10;
const GZIP_TRAILER_BYTES = 8;

/** The 10-byte header node's zlib writes before every member at these settings. */
function expectedGzipHeader(settings: GzipSettings): Buffer {
  return zlib.gzipSync(Buffer.alloc(0), { level: settings.level, memLevel: settings.mem_level }).subarray(0, GZIP_HEADER_BYTES);
}

function sameSettings(a: GzipSettings, b: GzipSettings): boolean {
  return (
    a.chunk_size === b.chunk_size &&
    a.level === b.level &&
    a.mem_level === b.mem_level &&
    a.zlib === b.zlib &&
    a.sample_sha256 === b.sample_sha256
  );
}

function describeSettings(settings: GzipSettings): string {
  return `level ${settings.level} in ${settings.chunk_size / 1024} KiB chunks (memory level ${settings.mem_level}, zlib ${settings.zlib}, sample ${settings.sample_sha256.slice(0, 12)})`;
}

/** The SHA-256 of `dataDir`'s `.config_key`, or null when there is none. */
export async function configKeySha256(dataDir: string): Promise<string | null> {
  try {
    return createHash('sha256')
      .update(await fs.readFile(path.join(dataDir, CONFIG_KEY_FILE)))
      .digest('hex');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/** Opens the newest backup in `options.backupDir` for reuse, or says why it cannot be used. */
export async function openPreviousMembers(options: OpenPreviousOptions): Promise<OpenPreviousResult> {
  let newest;
  try {
    [newest] = await listBackups(options.backupDir, { readMeta: false });
  } catch (error) {
    return { ok: false, reason: 'unreadable', detail: `The backup directory could not be listed: ${messageOf(error)}`, fileName: null };
  }
  if (!newest) return { ok: false, reason: 'no-previous', detail: `${options.backupDir} holds no backup yet.`, fileName: null };
  const { fileName } = newest;
  const refuse = (reason: FullBackupReason, detail: string): OpenPreviousResult => ({ ok: false, reason, detail, fileName });

  let plainPath = newest.path;
  if (await isSealedFile(newest.path)) {
    const identities = [...(options.identities ?? [])];
    if (identities.length === 0) return refuse('sealed-other-key', `${fileName} is sealed, and no key to open it was given.`);
    plainPath = path.join(options.workDir, 'previous.tar.gz');
    try {
      await pipeline(openSealedStream(createReadStream(newest.path), { identities }), createWriteStream(plainPath, { flags: 'wx' }));
    } catch (error) {
      await fs.rm(plainPath, { force: true });
      const code = isLockerError(error) ? error.code : undefined;
      if (code === 'SEAL_WRONG_IDENTITY' || code === 'SEAL_NEEDS_PASSPHRASE') {
        return refuse('sealed-other-key', `${fileName} is sealed with a key this instance does not hold.`);
      }
      return refuse('unreadable', `${fileName} could not be opened: ${messageOf(error)}`);
    }
  }

  const meta = await peekArchiveMeta(plainPath);
  if (meta === null) return refuse('unreadable', `The meta of ${fileName} could not be read.`);
  const sizes = GzipMemberIndexSchema.safeParse(meta['gzip_members']);
  const digests = GzipMemberDigestsSchema.safeParse(meta['gzip_member_sha256']);
  const crcs = GzipMemberCrcsSchema.safeParse(meta['gzip_member_crc32']);
  const settings = GzipSettingsSchema.safeParse(meta['gzip_settings']);
  if (
    !sizes.success ||
    !digests.success ||
    !crcs.success ||
    !settings.success ||
    digests.data.length !== sizes.data.length ||
    crcs.data.length !== sizes.data.length
  ) {
    return refuse('no-index', `${fileName} lists no digests of its chunks (made by DOCSight or an older version).`);
  }
  if (!sameSettings(settings.data, options.settings)) {
    return refuse(
      'settings-differ',
      `${fileName} was compressed at ${describeSettings(settings.data)}; this backup compresses at ${describeSettings(options.settings)}.`,
    );
  }
  const members = meta['members'];
  const previousKey =
    typeof members === 'object' && members !== null
      ? ((members as Record<string, { sha256?: unknown }>)[CONFIG_KEY_FILE]?.sha256 ?? null)
      : null;
  if (previousKey !== options.configKeySha256) {
    return refuse('other-instance', `${fileName} is a backup of another instance (its ${CONFIG_KEY_FILE} differs).`);
  }

  let handle: fs.FileHandle;
  let size: number;
  try {
    handle = await fs.open(plainPath, 'r');
  } catch (error) {
    return refuse('unreadable', `${fileName} could not be opened: ${messageOf(error)}`);
  }
  try {
    size = (await handle.stat()).size;
  } catch (error) {
    await handle.close();
    return refuse('unreadable', `${fileName} could not be read: ${messageOf(error)}`);
  }
  const bodyAndTail = sizes.data.reduce((sum, length) => sum + length, 0);
  const headSize = size - bodyAndTail;
  if (headSize <= 0) {
    await handle.close();
    return refuse('damaged', `The member index of ${fileName} does not add up to its size.`);
  }
  // Body members only: the last entry is the end-of-archive member.
  const byDigest = new Map<string, MemberLocation>();
  let offset = headSize;
  for (let index = 0; index < sizes.data.length - 1; index += 1) {
    const digest = digests.data[index]!;
    if (!byDigest.has(digest)) byDigest.set(digest, { offset, length: sizes.data[index]!, number: index + 1, crc32: crcs.data[index]! });
    offset += sizes.data[index]!;
  }
  return {
    ok: true,
    previous: new OpenPrevious(
      fileName,
      handle,
      byDigest,
      options.settings,
      options.verifyFraction ?? DEFAULT_VERIFY_FRACTION,
      plainPath === newest.path ? undefined : plainPath,
    ),
  };
}

class OpenPrevious implements PreviousMembers {
  #inflated = 0;
  readonly #header: Buffer;

  constructor(
    readonly fileName: string,
    readonly handle: fs.FileHandle,
    readonly byDigest: Map<string, MemberLocation>,
    settings: GzipSettings,
    readonly verifyFraction: number,
    /** The opened copy of a sealed previous backup, removed on close. */
    readonly openedCopy: string | undefined,
  ) {
    this.#header = expectedGzipHeader(settings);
  }

  /**
   * Buffers the members are read into, given back after the spool has them: a fresh buffer per
   * member (500 of about 130 KB for a GB) is allocated and unmapped by malloc one by one, and cost
   * 30 MB of peak RSS and a tenth of a second of kernel time.
   */
  readonly #pool: Buffer[] = [];

  readonly reuse: GzipMemberReuse = {
    take: (sha256, input) => {
      const location = this.byDigest.get(sha256);
      return location ? this.#take(location, input) : undefined;
    },
    recycle: (member) => {
      const buffer = member[0]?.buffer;
      const pooled = this.#lent.get(buffer as ArrayBuffer);
      if (pooled && this.#pool.length < MAX_POOLED) this.#pool.push(pooled);
      this.#lent.delete(buffer as ArrayBuffer);
    },
  };

  readonly #lent = new Map<ArrayBuffer, Buffer>();

  #borrow(length: number): Buffer {
    const index = this.#pool.findIndex((buffer) => buffer.length >= length);
    const buffer = index === -1 ? Buffer.allocUnsafeSlow(Math.max(length, POOLED_BUFFER_BYTES)) : this.#pool.splice(index, 1)[0]!;
    this.#lent.set(buffer.buffer as ArrayBuffer, buffer);
    return buffer.subarray(0, length);
  }

  inflated(): number {
    return this.#inflated;
  }

  #closed = false;

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.handle.close();
    if (this.openedCopy !== undefined) await fs.rm(this.openedCopy, { force: true });
  }

  async #take(location: MemberLocation, input: Buffer): Promise<Buffer[]> {
    const damaged = (what: string): ReusedMemberDamaged => new ReusedMemberDamaged(this.fileName, location.number, what);
    if (location.length < GZIP_HEADER_BYTES + GZIP_TRAILER_BYTES) throw damaged('is shorter than a gzip member');
    const bytes = this.#borrow(location.length);
    for (let done = 0; done < bytes.length;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.handle.read(bytes, done, bytes.length - done, location.offset + done));
      } catch (error) {
        // A failing disk or a share that went away: compress everything instead of failing.
        throw new ReusedMemberDamaged(this.fileName, location.number, `could not be read (${messageOf(error)})`, 'unreadable');
      }
      if (bytesRead === 0) throw damaged('is cut short');
      done += bytesRead;
    }
    if (crc32Hex(zlib.crc32(bytes)) !== location.crc32)
      throw damaged('has changed since it was written (its CRC-32 differs from the meta)');
    if (!bytes.subarray(0, GZIP_HEADER_BYTES).equals(this.#header)) throw damaged('does not begin with the gzip header this backup writes');
    if (bytes.readUInt32LE(bytes.length - 8) !== zlib.crc32(input)) throw damaged('has a CRC-32 other than the chunk it stands for');
    if (bytes.readUInt32LE(bytes.length - 4) !== input.length % 2 ** 32) throw damaged('has a length other than the chunk it stands for');
    if (this.verifyFraction >= 1 || (this.verifyFraction > 0 && randomInt(1_000_000) < this.verifyFraction * 1_000_000)) {
      let same: boolean;
      try {
        same = await inflatesTo(bytes, input);
      } catch (error) {
        throw damaged(`does not inflate (${messageOf(error)})`);
      }
      this.#inflated += 1;
      if (!same) throw damaged('inflates to other bytes than its digest says');
    }
    return [bytes];
  }
}

/** Buffers kept for reading members: enough for the few in flight at once. */
const MAX_POOLED = 8;
/** A pooled buffer holds a member of up to this size (level 7 makes about 130 KB of 2 MiB). */
const POOLED_BUFFER_BYTES = 512 * 1024;
/** Inflated in 64 KiB pieces, each compared and dropped: no 2 MiB buffer per sampled member. */
const INFLATE_PIECE_BYTES = 64 * 1024;

/** True when the gzip member `member` inflates to exactly `expected` (rejects when it does not inflate). */
function inflatesTo(member: Buffer, expected: Buffer): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const gunzip = zlib.createGunzip({ chunkSize: INFLATE_PIECE_BYTES });
    let offset = 0;
    let same = true;
    gunzip.on('data', (piece: Buffer) => {
      const end = offset + piece.length;
      if (same && (end > expected.length || !piece.equals(expected.subarray(offset, end)))) same = false;
      offset = end;
    });
    gunzip.once('error', reject);
    gunzip.once('end', () => resolve(same && offset === expected.length));
    gunzip.end(member);
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
