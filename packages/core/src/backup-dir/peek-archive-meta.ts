/**
 * Reads an archive's `backup_meta.json` without unpacking the archive.
 *
 * Every archive (DOCSight's and ours) is one gzip stream of a tar whose first member is the meta,
 * preceded by at most a PAX extended header. So the first few KB of inflated output hold the whole
 * meta, and looking at a directory of 250 MB archives costs one small read per file. The read stops
 * as soon as the meta is complete and never inflates more than MAX_INFLATED_BYTES, so a crafted
 * archive cannot make it slow.
 *
 * Tar layout read here: 512-byte headers; name at 0..100, size (octal, or base-256 when the high bit
 * is set) at 124..136, typeflag at 156, ustar prefix at 345..500. Type `x` (PAX, applies to the next
 * member) and `g` (PAX global) carry `"<len> key=value\n"` records that may override `path` and
 * `size`. Member data is padded to 512 bytes.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { META_FILE } from '../data-dir-layout.ts';

const BLOCK = 512;
/** Compressed bytes read at most; the meta is compressed into far less. */
const MAX_COMPRESSED_BYTES = 256 * 1024;
/** Inflated bytes looked at at most (headers, PAX records and the meta). */
const MAX_INFLATED_BYTES = 256 * 1024;
/** A meta larger than this is not one we wrote or DOCSight wrote. */
const MAX_META_BYTES = 64 * 1024;

/**
 * The JSON object in the first member of the archive at `archivePath` when that member is
 * `backup_meta.json`, or null when it cannot be read for any reason: not gzip, not tar, meta not
 * first, meta not a JSON object, unreadable file. A hint for listings and estimates only: nothing
 * here is checked the way a restore checks it.
 */
export async function peekArchiveMeta(archivePath: string): Promise<Record<string, unknown> | null> {
  const metaText = await readFirstMetaMember(archivePath);
  if (metaText === null) return null;
  try {
    const meta: unknown = JSON.parse(metaText);
    return typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function readFirstMetaMember(archivePath: string): Promise<string | null> {
  const file = createReadStream(archivePath, { highWaterMark: 16 * 1024, end: MAX_COMPRESSED_BYTES - 1 });
  const gunzip = createGunzip();
  file.on('error', (error) => gunzip.destroy(error));
  file.pipe(gunzip);
  let inflated = Buffer.alloc(0);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      inflated = Buffer.concat([inflated, chunk]);
      const result = parseMetaMember(inflated);
      if (result !== NEED_MORE) return result;
      if (inflated.length >= MAX_INFLATED_BYTES) return null;
    }
    const result = parseMetaMember(inflated);
    return result === NEED_MORE ? null : result;
  } catch {
    // Not gzip, truncated, or unreadable: a listing shows "unknown trigger", never an error.
    return null;
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}

const NEED_MORE = Symbol('need more bytes');

/** The meta text if the first real member of `tar` is `backup_meta.json`, null if it is not. */
function parseMetaMember(tar: Buffer): string | null | typeof NEED_MORE {
  let offset = 0;
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  for (;;) {
    if (tar.length < offset + BLOCK) return NEED_MORE;
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return null;
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const size = readSize(header.subarray(124, 136));
    if (size === null) return null;
    const dataStart = offset + BLOCK;
    if (typeflag === 'x' || typeflag === 'g') {
      if (size > MAX_META_BYTES) return null;
      if (tar.length < dataStart + size) return NEED_MORE;
      if (typeflag === 'x') {
        const records = parsePaxRecords(tar.subarray(dataStart, dataStart + size));
        paxPath = records.get('path') ?? paxPath;
        const sizeRecord = records.get('size');
        if (sizeRecord !== undefined) paxSize = /^\d+$/.test(sizeRecord) ? Number(sizeRecord) : NaN;
      }
      offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      continue;
    }
    const name = paxPath ?? ustarName(header);
    const memberSize = paxSize ?? size;
    const isRegular = typeflag === '0' || typeflag === '\0';
    if (name !== META_FILE || !isRegular || !Number.isSafeInteger(memberSize) || memberSize > MAX_META_BYTES) {
      return null;
    }
    if (tar.length < dataStart + memberSize) return NEED_MORE;
    return tar.subarray(dataStart, dataStart + memberSize).toString('utf8');
  }
}

function readSize(field: Buffer): number | null {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    // GNU base-256: never used for a small meta, so treat it as "not our meta".
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
