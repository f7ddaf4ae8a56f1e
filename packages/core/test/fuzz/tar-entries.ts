/**
 * A tar stream cut into raw entries, so the fuzzer can edit header fields in place and move whole
 * members around. An entry is its extension headers (PAX `x`/`g`, GNU `L`/`K`), its main header,
 * its data and padding, exactly as they were in the stream; `trailer` is everything from the first
 * zero block on. Only well-formed archives (the fuzzer's sources) are parsed.
 */
import { TAR_BLOCK_SIZE } from '../../src/archive/format/ustar-header.ts';

export interface RawEntry {
  /** Extension headers, main header, data, padding. */
  raw: Buffer;
  /** Offset of the main header inside `raw`. */
  headerAt: number;
  name: string;
  size: number;
}

export interface TarModel {
  entries: RawEntry[];
  trailer: Buffer;
}

/** Offsets and lengths of the ustar header fields the fuzzer edits. */
export const USTAR_FIELDS = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;
export type UstarField = keyof typeof USTAR_FIELDS;

const EXTENSION_TYPES = new Set(['x', 'g', 'L', 'K']);

function headerSize(header: Buffer): number {
  if ((header[124]! & 0x80) !== 0) {
    let value = 0;
    for (let i = 125; i < 136; i += 1) value = value * 256 + header[i]!;
    return value;
  }
  const text = header
    .toString('latin1', 124, 136)
    .replace(/[\0 ]+$/, '')
    .trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function paddedLength(size: number): number {
  return Math.ceil(size / TAR_BLOCK_SIZE) * TAR_BLOCK_SIZE;
}

/** Cuts `tar` into entries and trailer. */
export function parseTar(tar: Buffer): TarModel {
  const entries: RawEntry[] = [];
  let offset = 0;
  let entryStart = 0;
  while (offset + TAR_BLOCK_SIZE <= tar.length) {
    const header = tar.subarray(offset, offset + TAR_BLOCK_SIZE);
    if (header.every((byte) => byte === 0)) break;
    const size = headerSize(header);
    const type = String.fromCharCode(header[156]!);
    const end = offset + TAR_BLOCK_SIZE + paddedLength(size);
    if (!EXTENSION_TYPES.has(type)) {
      const nameEnd = header.indexOf(0);
      entries.push({
        raw: Buffer.from(tar.subarray(entryStart, end)),
        headerAt: offset - entryStart,
        name: header.toString('latin1', 0, nameEnd === -1 || nameEnd > 100 ? 100 : nameEnd),
        size,
      });
      entryStart = end;
    }
    offset = end;
  }
  return { entries, trailer: Buffer.from(tar.subarray(entryStart)) };
}

export function serializeTar(model: TarModel): Buffer {
  return Buffer.concat([...model.entries.map((entry) => entry.raw), model.trailer]);
}

/** The main header of `entry` (a view into its raw bytes). */
export function mainHeader(entry: RawEntry): Buffer {
  return entry.raw.subarray(entry.headerAt, entry.headerAt + TAR_BLOCK_SIZE);
}

/** The data of `entry` as its header declares it. */
export function entryData(entry: RawEntry): Buffer {
  const start = entry.headerAt + TAR_BLOCK_SIZE;
  return entry.raw.subarray(start, start + entry.size);
}

/** Writes the header checksum the way tar does (6 octal digits, NUL, space). */
export function fixChecksum(header: Buffer): void {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
}

/** Overwrites `field` with `value` (latin1), NUL-filling the rest of the field. */
export function setField(header: Buffer, field: UstarField, value: Buffer | string): void {
  const [at, length] = USTAR_FIELDS[field];
  header.fill(0, at, at + length);
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  bytes.copy(header, at, 0, Math.min(bytes.length, length));
}

/** A copy of `entry` with new data: same extension headers and header fields, size and checksum fixed. */
export function withData(entry: RawEntry, data: Buffer): RawEntry {
  const head = Buffer.from(entry.raw.subarray(0, entry.headerAt + TAR_BLOCK_SIZE));
  const header = head.subarray(entry.headerAt);
  setField(header, 'size', data.length.toString(8).padStart(11, '0'));
  fixChecksum(header);
  const padding = Buffer.alloc(paddedLength(data.length) - data.length);
  return { raw: Buffer.concat([head, data, padding]), headerAt: entry.headerAt, name: entry.name, size: data.length };
}

/** A deep copy, so mutations never touch a source's model. */
export function cloneTar(model: TarModel): TarModel {
  return { entries: model.entries.map((entry) => ({ ...entry, raw: Buffer.from(entry.raw) })), trailer: Buffer.from(model.trailer) };
}
