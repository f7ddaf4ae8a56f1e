/**
 * Streams every member after the meta, tar-framed (ustar header, data, zero padding), through
 * ParallelGzipWriter into a spool file, hashing each member on the way. The meta goes first in the
 * archive but lists these hashes, so the body is compressed before the meta is written; the end of
 * archive marker is left to the caller, whose padding depends on the meta's length.
 *
 * Gzip members of the body: a file read from disk (a database) gets a member for its tar header
 * and then members of `chunkSize` bytes of its content, the last one with the tar padding; the
 * files given as bytes (config and key) share the last member. So every chunk of a database sits at
 * a fixed offset of its content, wherever the other files grow, and the same chunk in two backups
 * is the same member (reuse-previous-members.ts takes it over instead of compressing it again).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { MemberDigest } from '../format/backup-meta.ts';
import { ParallelGzipWriter, type GzipMemberReuse, type ParallelGzipOptions } from './parallel-gzip.ts';
import { writeAll } from './write-archive-file.ts';
import { heldFileReader } from './held-file.ts';
import { TAR_BLOCK_SIZE, tarPadding, ustarHeader } from '../format/ustar-header.ts';

/** A member to archive: a file read from disk, or bytes already in memory. */
export interface ArchiveMemberSource {
  name: string;
  /** Permission bits written to the tar header. */
  mode: number;
  /** Whole seconds since the epoch. */
  mtime: number;
  size: number;
  /** Read from this file; it must hold exactly `size` bytes. */
  path?: string;
  /** `path` is a live database whose snapshot is held: read it through held-file.ts. */
  held?: { dev: number; ino: number } | undefined;
  /** Or use these bytes. */
  data?: Buffer;
}

export interface WriteArchiveBodyOptions {
  gzip?: ParallelGzipOptions;
  signal?: AbortSignal;
  /** Called with the tar bytes handed to the compressor so far. */
  onBytes?: (bytesDone: number) => void;
  /** Offers each member to be taken over from a previous backup instead of compressed. */
  reuse?: GzipMemberReuse;
}

export interface ArchiveBody {
  digests: Record<string, MemberDigest>;
  /** Uncompressed tar bytes of the body. */
  tarBytes: number;
  /** Compressed size of each gzip member of the spool, in order. */
  gzipMembers: number[];
  /** Hex SHA-256 of each gzip member's uncompressed bytes, in the same order. */
  gzipMemberDigests: string[];
  /** CRC-32 (8 hex digits) of each gzip member's compressed bytes, in the same order. */
  gzipMemberCrcs: string[];
  /** Members taken over through `reuse`, and the uncompressed bytes they stand for. */
  membersReused: number;
  bytesReused: number;
}

/** A CRC-32 as the meta lists it: 8 lowercase hex digits. */
export function crc32Hex(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0');
}

/** Tar bytes a member takes: header, data and padding. */
export function memberTarSize(size: number): number {
  return TAR_BLOCK_SIZE + Math.ceil(size / TAR_BLOCK_SIZE) * TAR_BLOCK_SIZE;
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
}

/** Writes the compressed body to `spoolPath` (created, must not exist) and returns the digests. */
export async function writeArchiveBody(
  members: ArchiveMemberSource[],
  spoolPath: string,
  options: WriteArchiveBodyOptions = {},
): Promise<ArchiveBody> {
  const { signal } = options;
  const digests: Record<string, MemberDigest> = {};
  let tarBytes = 0;
  const gzipMembers: number[] = [];
  const gzipMemberDigests: string[] = [];
  const gzipMemberCrcs: string[] = [];
  let membersReused = 0;
  let bytesReused = 0;
  const spool = await fs.promises.open(spoolPath, 'wx');
  const gzip = new ParallelGzipWriter(
    async (member, info) => {
      let size = 0;
      let crc = 0;
      for (const part of member) {
        if (signal?.aborted) throw abortError();
        await writeAll(spool, part);
        size += part.length;
        crc = zlib.crc32(part, crc);
      }
      gzipMembers.push(size);
      gzipMemberCrcs.push(crc32Hex(crc));
      gzipMemberDigests.push(info.sha256);
      if (info.reused) {
        membersReused += 1;
        bytesReused += info.inflatedSize;
      }
    },
    options.gzip,
    options.reuse,
  );
  try {
    const add = async (bytes: Buffer): Promise<void> => {
      await gzip.write(bytes);
      tarBytes += bytes.length;
      options.onBytes?.(tarBytes);
    };
    for (const member of members) {
      if (signal?.aborted) throw abortError();
      const hash = createHash('sha256');
      // A database: its header alone, then its content from a fresh member (see the file comment).
      if (!member.data) await gzip.boundary();
      await add(ustarHeader(member));
      if (!member.data) await gzip.boundary();
      if (member.data) {
        hash.update(member.data);
        await add(member.data);
      } else {
        // A held live file is never closed here (held-file.ts); a copy is opened and closed.
        const source = member.held ? undefined : await fs.promises.open(member.path!, 'r');
        const readAt = member.held
          ? await heldFileReader(member.path!, member.held)
          : async (target: Buffer, offset: number, length: number, position: number) =>
              (await source!.read(target, offset, length, position)).bytesRead;
        try {
          let position = 0;
          await gzip.fill(
            member.size,
            async (target, offset, length) => {
              if (signal?.aborted) throw abortError();
              const bytesRead = await readAt(target, offset, length, position);
              if (bytesRead === 0) throw new Error(`${member.name} shrank while it was being archived`);
              position += bytesRead;
              return bytesRead;
            },
            (piece) => {
              hash.update(piece);
              tarBytes += piece.length;
              options.onBytes?.(tarBytes);
            },
          );
        } finally {
          await source?.close();
        }
      }
      const padding = tarPadding(member.size);
      if (padding.length > 0) await add(padding);
      if (!member.data) await gzip.boundary();
      digests[member.name] = { size: member.size, sha256: hash.digest('hex') };
    }
    await gzip.end();
  } finally {
    gzip.close();
    await spool.close();
  }
  return { digests, tarBytes, gzipMembers, gzipMemberDigests, gzipMemberCrcs, membersReused, bytesReused };
}
