/**
 * Mutations of the gzip framing of one member (the first, the last or any): header bytes (magic,
 * method, flags, mtime, XFL, OS), optional header fields added or broken (FEXTRA, FNAME, FCOMMENT,
 * FHCRC), the trailer (CRC32, ISIZE), and whole members dropped, duplicated or swapped.
 */
import zlib from 'node:zlib';
import type { FuzzSource } from './build-fuzz-world.ts';
import { FCOMMENT, FEXTRA, FHCRC, FNAME, type GzipMember } from './gzip-members.ts';
import type { MutationKind } from './mutation-kind.ts';
import type { Prng } from './prng.ts';

function pickMember(source: FuzzSource, prng: Prng): [number, GzipMember] {
  const last = source.members.length - 1;
  const index = prng.weighted([
    [0, 2],
    [last, 1],
    [prng.int(0, last), 1],
  ] as const);
  return [index, source.members[index]!];
}

/** `source` with `member` replaced by `replacement`. */
function replaceMember(source: FuzzSource, member: GzipMember, replacement: Buffer): Buffer {
  const bytes = source.bytes;
  return Buffer.concat([bytes.subarray(0, member.offset), replacement, bytes.subarray(member.offset + member.length)]);
}

const headerByte: MutationKind = {
  name: 'gzip-header-byte',
  weight: 8,
  apply(source, prng) {
    const [index, member] = pickMember(source, prng);
    const field = prng.pick(['id1', 'id2', 'method', 'reserved-flag', 'ftext-flag', 'optional-flag', 'mtime', 'xfl', 'os'] as const);
    const copy = Buffer.from(source.bytes.subarray(member.offset, member.offset + member.length));
    let mustRefuse = false;
    if (field === 'id1' || field === 'id2') {
      const at = field === 'id1' ? 0 : 1;
      const old = copy[at]!;
      copy[at] = prng.pick([0x00, 0x1e, 0x8b, 0x1f ^ 0x80, prng.int(0, 255)]);
      // Not gzip: the first member fails the magic check, a later one zlib's header check, or (a
      // zero byte) zlib takes it for padding and the non-zero rest is trailing data.
      mustRefuse = copy[at] !== old;
    }
    if (field === 'method') {
      copy[2] = prng.pick([0, 7, 9, 15, prng.int(9, 255)]);
      mustRefuse = true;
    }
    if (field === 'reserved-flag') {
      copy[3] = copy[3]! | (0x20 << prng.int(0, 2));
      mustRefuse = true;
    }
    if (field === 'ftext-flag') copy[3] = copy[3]! ^ 1;
    if (field === 'optional-flag') copy[3] = copy[3]! ^ prng.pick([FHCRC, FEXTRA, FNAME, FCOMMENT]);
    if (field === 'mtime') copy.writeUInt32LE(prng.int(0, 0xffffffff), 4);
    if (field === 'xfl') copy[8] = prng.int(0, 255);
    if (field === 'os') copy[9] = prng.int(0, 255);
    const header = copy.subarray(0, 10).toString('hex');
    return {
      description: `gzip member ${index} header ${field} → ${header}`,
      bytes: replaceMember(source, member, copy),
      ...(mustRefuse ? { mustRefuse } : {}),
    };
  },
};

/** Rebuilds a member's header with the optional fields given; the deflate data and trailer stay. */
function withHeaderFields(
  source: FuzzSource,
  member: GzipMember,
  fields: { extra?: Buffer; xlen?: number; name?: Buffer; comment?: Buffer; hcrc?: 'valid' | 'wrong' },
): Buffer {
  const base = Buffer.from(source.bytes.subarray(member.offset, member.offset + 10));
  base[3] = (fields.extra ? FEXTRA : 0) | (fields.name ? FNAME : 0) | (fields.comment ? FCOMMENT : 0) | (fields.hcrc ? FHCRC : 0);
  const parts: Buffer[] = [base];
  if (fields.extra) {
    const xlen = Buffer.alloc(2);
    xlen.writeUInt16LE(fields.xlen ?? fields.extra.length);
    parts.push(xlen, fields.extra);
  }
  if (fields.name) parts.push(fields.name);
  if (fields.comment) parts.push(fields.comment);
  if (fields.hcrc) {
    const crc = Buffer.alloc(2);
    const value = zlib.crc32(Buffer.concat(parts)) & 0xffff;
    crc.writeUInt16LE(fields.hcrc === 'valid' ? value : value ^ 0x5a5a);
    parts.push(crc);
  }
  const rest = source.bytes.subarray(member.offset + member.headerLength, member.offset + member.length);
  return Buffer.concat([...parts, rest]);
}

const optionalFields: MutationKind = {
  name: 'gzip-optional-fields',
  weight: 6,
  apply(source, prng) {
    const [index, member] = pickMember(source, prng);
    const variant = prng.pick([
      'extra',
      'extra-xlen-long',
      'extra-xlen-short',
      'name',
      'name-unterminated',
      'comment',
      'hcrc',
      'hcrc-wrong',
      'none',
      'all',
    ] as const);
    const extra = Buffer.concat([Buffer.from('EL'), Buffer.from([4, 0]), prng.bytes(4)]);
    const name = Buffer.from('docsight_backup.tar\0', 'latin1');
    const fields = {
      extra: { extra },
      'extra-xlen-long': { extra, xlen: extra.length + prng.int(1, 64) },
      'extra-xlen-short': { extra, xlen: prng.int(0, extra.length - 1) },
      name: { name },
      'name-unterminated': { name: Buffer.from('docsight_backup.tar', 'latin1') },
      comment: { comment: Buffer.from('made by hand\0', 'latin1') },
      hcrc: { hcrc: 'valid' as const },
      'hcrc-wrong': { hcrc: 'wrong' as const },
      none: {},
      all: { extra, name, comment: Buffer.from('c\0'), hcrc: 'valid' as const },
    }[variant];
    const replacement = withHeaderFields(source, member, fields);
    return {
      description: `gzip member ${index} optional header fields: ${variant}`,
      bytes: replaceMember(source, member, replacement),
      ...(variant === 'hcrc-wrong' ? { mustRefuse: true } : {}),
    };
  },
};

const trailer: MutationKind = {
  name: 'gzip-trailer',
  weight: 10,
  apply(source, prng) {
    const [index, member] = pickMember(source, prng);
    const field = prng.pick(['crc32', 'isize'] as const);
    const copy = Buffer.from(source.bytes.subarray(member.offset, member.offset + member.length));
    const at = copy.length - (field === 'crc32' ? 8 : 4);
    const old = copy.readUInt32LE(at);
    const value = prng.pick([old ^ (1 << prng.int(0, 31)), (old + 1) >>> 0, (old - 1) >>> 0, prng.int(0, 0xffffffff) | 1, 0]);
    if (value === old) return undefined;
    copy.writeUInt32LE(value >>> 0, at);
    return {
      description: `gzip member ${index} trailer ${field} ${old} → ${value >>> 0}`,
      bytes: replaceMember(source, member, copy),
      mustRefuse: true,
    };
  },
};

const memberOrder: MutationKind = {
  name: 'gzip-member-order',
  weight: 5,
  apply(source, prng) {
    const count = source.members.length;
    if (count < 2) return undefined;
    const pieces = source.members.map((member) => source.bytes.subarray(member.offset, member.offset + member.length));
    const what = prng.pick(['drop', 'duplicate', 'swap'] as const);
    const i = prng.int(0, count - 1);
    const j = prng.int(0, count - 1);
    if (what === 'drop') pieces.splice(i, 1);
    if (what === 'duplicate') pieces.splice(j, 0, pieces[i]!);
    if (what === 'swap') {
      if (i === j) return undefined;
      [pieces[i], pieces[j]] = [pieces[j]!, pieces[i]!];
    }
    return { description: `gzip members: ${what} ${i}${what === 'drop' ? '' : ` / ${j}`} of ${count}`, bytes: Buffer.concat(pieces) };
  },
};

export const GZIP_MUTATIONS: MutationKind[] = [headerByte, optionalFields, trailer, memberOrder];
