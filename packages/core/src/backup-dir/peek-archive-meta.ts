/**
 * Reads an archive's `backup_meta.json` without unpacking the archive.
 *
 * Every archive DOCSight or Evidence Locker writes is one gzip stream of a tar whose first member
 * is the meta, preceded by at most a PAX extended header, so the first few KB of inflated output
 * hold the whole meta and looking at a directory of 250 MB archives costs one small read per file.
 * An archive a user extracted and packed again (`tar czf`, Python's tarfile) may hold the meta
 * anywhere, as both restores accept; the walk then skips the members before it, keeping none of
 * their bytes. It stops as soon as the meta is complete and never inflates more than
 * MAX_INFLATED_BYTES, so a crafted archive, or a meta behind a large database, costs a bounded read
 * and gives null.
 *
 * Tar layout read here: 512-byte headers; name at 0..100, size (octal, or base-256 when the high bit
 * is set) at 124..136, typeflag at 156, ustar prefix at 345..500. Type `x` (PAX, applies to the next
 * member) and `g` (PAX global) carry `"<len> key=value\n"` records that may override `path` and
 * `size`. Member data is padded to 512 bytes. Leading `./` is dropped from names, as the archive
 * reader does (archive-member-name.ts).
 *
 * A sealed archive (an age file) is opened on the way when identities are given (PeekOptions).
 *
 * Walker states: header (collecting 512 bytes) → pax data (collecting a PAX header's records) or
 * meta data (collecting the meta) or skipping (discarding a member's data and padding) → header.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { openSealedStream } from '../seal/open-sealed-stream.ts';
import { isSealedHeader, SEALED_HEADER_PROBE_BYTES } from '../seal/sealed-header.ts';
import { sealedWithOf, type SealedWith } from '../seal/sealed-input.ts';
import { META_FILE } from '../data-dir-layout.ts';

const BLOCK = 512;
/**
 * Inflated bytes looked at at most (headers, skipped members, PAX records and the meta). The meta
 * of an archive in DOCSight's order is within the first KBs; one packed again with the meta after
 * databases of up to about 64 MiB is found too. Reaching the bound took 0.33 s on 2 busy cores,
 * once per archive: read-backup-trigger.ts remembers the answer per file.
 */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
/** Compressed bytes read at most; the same bound, for input that inflates to next to nothing. */
const MAX_COMPRESSED_BYTES = 64 * 1024 * 1024;
/**
 * A meta (or PAX header) larger than this is not one we wrote or DOCSight wrote. Ours lists a
 * digest per 2 MiB chunk (about 36 KB per GB of data, at most about 0.9 MB: backup-meta.ts), and a
 * restore accepts a meta of up to 1 MiB (read-archive-limits.ts).
 */
const MAX_META_BYTES = 1024 * 1024;

/**
 * The JSON object of the `backup_meta.json` member of the archive at `archivePath`, wherever it
 * stands among the first MAX_INFLATED_BYTES of the tar, or null when it cannot be read for any
 * reason: not gzip, not tar, no meta within the bound, meta not a regular file or not a JSON
 * object, unreadable file. A hint for listings and estimates only: nothing here is checked the way
 * a restore checks it.
 */
export async function peekArchiveMeta(archivePath: string, options: PeekOptions = {}): Promise<Record<string, unknown> | null> {
  const metaText = await readMetaMember(archivePath, options);
  if (metaText === null) return null;
  try {
    const meta: unknown = JSON.parse(metaText);
    return typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export interface PeekOptions {
  /**
   * Identities (`AGE-SECRET-KEY-1…`) that may open a sealed archive: the meta is in its first
   * chunk, so peeking costs one key unwrap and one 64 KiB chunk. A sealed archive they do not open,
   * or one sealed with a passphrase (whose scrypt is made to cost a second), gives null.
   */
  identities?: readonly string[] | undefined;
}

async function readMetaMember(archivePath: string, options: PeekOptions): Promise<string | null> {
  // Decided before the file stream exists: a stream opened first would report a missing file with
  // no listener attached yet, while this awaits.
  const sealed = await isSealedFile(archivePath);
  if (sealed && (options.identities === undefined || options.identities.length === 0)) return null;
  const file = createReadStream(archivePath, { highWaterMark: 64 * 1024, end: MAX_COMPRESSED_BYTES - 1 });
  const gunzip = createGunzip();
  let plain: Readable = file;
  if (sealed) {
    try {
      plain = openSealedStream(file, { identities: [...(options.identities ?? [])] });
    } catch {
      file.destroy();
      return null;
    }
  }
  plain.on('error', (error) => gunzip.destroy(error));
  plain.pipe(gunzip);
  const walker = new MetaWalker();
  let inflated = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      const result = walker.push(chunk);
      if (result !== NEED_MORE) return result;
      if (inflated >= MAX_INFLATED_BYTES) return null;
    }
    return null;
  } catch {
    // Not gzip, truncated, or unreadable: a listing shows "unknown trigger", never an error.
    return null;
  } finally {
    plain.destroy();
    file.destroy();
    gunzip.destroy();
  }
}

/** True when the file at `archivePath` begins as a sealed archive (an age file); false when unreadable. */
export async function isSealedFile(archivePath: string): Promise<boolean> {
  return (await readSealedHead(archivePath, SEALED_HEADER_PROBE_BYTES)) !== null;
}

/**
 * How the sealed archive at `archivePath` is sealed (`identity` or `passphrase`), from its header
 * alone; null when it is not sealed, its header is not whole within 4 KiB, or it cannot be read.
 */
export async function peekSealedWith(archivePath: string): Promise<SealedWith | null> {
  const head = await readSealedHead(archivePath, SEALED_HEAD_BYTES);
  return head === null ? null : sealedWithOf(head);
}

/** Far more than a header with a few stanzas; age's own are about 200 bytes. */
const SEALED_HEAD_BYTES = 4096;

async function readSealedHead(archivePath: string, bytes: number): Promise<Buffer | null> {
  try {
    const handle = await open(archivePath, 'r');
    try {
      const head = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(head, 0, bytes, 0);
      const read = head.subarray(0, bytesRead);
      return isSealedHeader(read) ? read : null;
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

const NEED_MORE = Symbol('need more bytes');

/** Walks tar bytes pushed in pieces until the meta member is complete (see the top comment). */
class MetaWalker {
  #step: 'header' | 'pax' | 'meta' = 'header';
  /** Bytes of the header or data being collected, and how many the current step needs. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #want = BLOCK;
  /** Bytes still to discard: a skipped member's data, or the padding after collected data. */
  #skip = 0;
  #paxPath: string | undefined;
  #paxSize: number | undefined;

  /** The meta text once complete, null once it cannot be found, NEED_MORE otherwise. */
  push(chunk: Buffer): string | null | typeof NEED_MORE {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.#skip > 0) {
        const skipped = Math.min(this.#skip, rest.length);
        this.#skip -= skipped;
        rest = rest.subarray(skipped);
        continue;
      }
      const taken = Math.min(this.#want - this.#pendingBytes, rest.length);
      this.#pending.push(rest.subarray(0, taken));
      this.#pendingBytes += taken;
      rest = rest.subarray(taken);
      if (this.#pendingBytes < this.#want) return NEED_MORE;
      const collected = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
      const result = this.#step === 'header' ? this.#header(collected) : this.#data(collected);
      if (result !== NEED_MORE) return result;
    }
    return NEED_MORE;
  }

  #data(data: Buffer): string | typeof NEED_MORE {
    if (this.#step === 'meta') return data.toString('utf8');
    const records = parsePaxRecords(data);
    this.#paxPath = records.get('path') ?? this.#paxPath;
    const sizeRecord = records.get('size');
    if (sizeRecord !== undefined) this.#paxSize = /^\d+$/.test(sizeRecord) ? Number(sizeRecord) : NaN;
    this.#next(padded(data.length) - data.length);
    return NEED_MORE;
  }

  #header(header: Buffer): string | null | typeof NEED_MORE {
    // The end-of-archive marker: no meta in this archive.
    if (header.every((byte) => byte === 0)) return null;
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const size = readSize(header.subarray(124, 136));
    if (size === null) return null;
    if (typeflag === 'x') {
      if (size > MAX_META_BYTES) return null;
      if (size > 0) this.#collect('pax', size);
      return NEED_MORE;
    }
    if (typeflag === 'g') {
      // Global records are not about one member; skipped like a member's data.
      this.#next(padded(size));
      return NEED_MORE;
    }
    const name = stripDotSlash(this.#paxPath ?? ustarName(header));
    const memberSize = this.#paxSize ?? size;
    this.#paxPath = undefined;
    this.#paxSize = undefined;
    if (!Number.isSafeInteger(memberSize) || memberSize < 0) return null;
    if (name !== META_FILE) {
      this.#next(padded(memberSize));
      return NEED_MORE;
    }
    const isRegular = typeflag === '0' || typeflag === '\0';
    if (!isRegular || memberSize > MAX_META_BYTES) return null;
    if (memberSize === 0) return '';
    this.#collect('meta', memberSize);
    return NEED_MORE;
  }

  #collect(step: 'pax' | 'meta', size: number): void {
    this.#step = step;
    this.#want = size;
  }

  /** Discards `skip` bytes, then reads the next header. */
  #next(skip: number): void {
    this.#step = 'header';
    this.#want = BLOCK;
    this.#skip = skip;
  }
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function stripDotSlash(name: string): string {
  let stripped = name;
  while (stripped.startsWith('./')) stripped = stripped.slice(2);
  return stripped;
}

function readSize(field: Buffer): number | null {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    // GNU base-256: only members over 8 GiB, far beyond the bound; give up.
    return null;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : text === '' ? 0 : null;
}

function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

function ustarName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = header.subarray(257, 262).toString('latin1') === 'ustar';
  const prefix = isUstar ? cString(header.subarray(345, 500)) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

/** PAX records: `"<decimal length> <key>=<value>\n"`, the length counting the whole record. */
function parsePaxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number(data.subarray(offset, space).toString('latin1'));
    if (!Number.isSafeInteger(length) || length <= space - offset) break;
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}
