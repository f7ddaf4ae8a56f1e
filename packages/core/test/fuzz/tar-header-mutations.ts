/**
 * Mutations of one tar header field of one entry (the meta entry or any), done on the inflated tar
 * and compressed again in the source's shape: name, size, mode, typeflag, checksum, linkname,
 * ustar magic and version, owner fields, mtime, prefix; and PAX records put before an entry. The
 * header checksum is recomputed (except when the checksum itself is the target, and now and then
 * on purpose), so the edit reaches the member rules instead of stopping at the checksum check.
 */
import { buildTar } from '../support/restore-support.ts';
import { compressTar } from './gzip-members.ts';
import type { MutationKind } from './mutation-kind.ts';
import type { Prng } from './prng.ts';
import { cloneTar, fixChecksum, mainHeader, parseTar, setField, USTAR_FIELDS, type RawEntry, type UstarField } from './tar-entries.ts';

function octal(value: number, digits: number): string {
  return value.toString(8).padStart(digits, '0');
}

function base256(value: number): Buffer {
  const bytes = Buffer.alloc(12);
  let rest = BigInt(value);
  for (let i = 11; i > 0; i -= 1) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  bytes[0] = 0x80;
  return bytes;
}

/** A new value for `field` of `header` of `entry`; strings are written latin1. */
function fieldValue(field: UstarField, entry: RawEntry, others: RawEntry[], prng: Prng): Buffer | string {
  const header = mainHeader(entry);
  const [at, length] = USTAR_FIELDS[field];
  const current = Buffer.from(header.subarray(at, at + length));
  const flipped = (): Buffer => {
    const used = Math.max(1, current.indexOf(0) === -1 ? length : current.indexOf(0));
    const at = prng.int(0, used - 1);
    current[at] = current[at]! ^ (1 << prng.int(0, 7));
    return current;
  };
  const size = entry.size;
  switch (field) {
    case 'name':
      return prng.pick([
        flipped(),
        '../config.json',
        '/etc/passwd',
        './config.json',
        'config.json/',
        '',
        'a\\b',
        'C:/x',
        'notes.txt',
        'sub/config.json',
        prng.pick(others).name,
        'config.json\u0007',
        'a'.repeat(100),
        'backup_meta.json',
        '.',
        './',
        'modules/x',
      ]);
    case 'size':
      return prng.pick([
        octal(size + 1, 11),
        octal(Math.max(0, size - 1), 11),
        octal(size + 512, 11),
        octal(Math.max(0, size - 512), 11),
        octal(0, 11),
        octal(size * 2, 11),
        '77777777777',
        base256(2 ** 40),
        base256(size),
        'abc',
        '           ',
        '-1',
        '1e3',
        flipped(),
      ]);
    case 'typeflag':
      return prng.pick([
        '0',
        '\0',
        '1',
        '2',
        '3',
        '4',
        '5',
        '6',
        '7',
        'x',
        'g',
        'L',
        'K',
        'S',
        'V',
        'D',
        'M',
        'Z',
        String.fromCharCode(prng.int(0, 255)),
      ]);
    case 'checksum':
      return prng.pick([flipped(), '000000\0 ', '        ', '\0\0\0\0\0\0\0\0', '77777777', prng.bytes(8)]);
    case 'linkname':
      return prng.pick(['config.json', '../../etc/passwd', '/etc/shadow', prng.bytes(20), 'a'.repeat(100)]);
    case 'magic':
      return prng.pick(['ustar ', 'xxxxx\0', Buffer.alloc(6), prng.bytes(6), 'USTAR\0', 'ustar\0']);
    case 'version':
      return prng.pick(['xx', '\0\0', ' \0', '01']);
    case 'mode':
    case 'uid':
    case 'gid':
      return prng.pick([octal(prng.int(0, 0o7777777), 7), '7777777', 'garbage', prng.bytes(8), '', flipped()]);
    case 'mtime':
      return prng.pick([octal(0, 11), '77777777777', base256(2 ** 45), 'not-a-time', prng.bytes(12)]);
    case 'uname':
    case 'gname':
      return prng.pick(['root', prng.bytes(32), 'x'.repeat(32)]);
    case 'prefix':
      return prng.pick(['sub', '..', '/abs', 'x'.repeat(155), '.', prng.bytes(10)]);
  }
}

const headerField: MutationKind = {
  name: 'tar-header-field',
  weight: 24,
  apply(source, prng) {
    const model = cloneTar(source.tar);
    const index = prng.chance(0.3) ? 0 : prng.int(0, model.entries.length - 1);
    const entry = model.entries[index]!;
    const field = prng.weighted<UstarField>([
      ['name', 4],
      ['size', 5],
      ['typeflag', 4],
      ['checksum', 2],
      ['linkname', 1],
      ['magic', 2],
      ['version', 1],
      ['mode', 2],
      ['uid', 1],
      ['gid', 1],
      ['mtime', 1],
      ['uname', 1],
      ['gname', 1],
      ['prefix', 2],
    ]);
    const value = fieldValue(field, entry, model.entries, prng);
    const header = mainHeader(entry);
    setField(header, field, value);
    const fixed = field !== 'checksum' && prng.chance(0.9);
    if (fixed) fixChecksum(header);
    const shown = typeof value === 'string' ? JSON.stringify(value) : `0x${value.toString('hex')}`;
    return {
      description: `tar entry ${index} (${entry.name}) ${field} = ${shown}${fixed ? '' : ', checksum stale'}`,
      bytes: compressTar(model, source, index !== 0),
    };
  },
};

const PAX_RECORDS = [
  'path=../config.json',
  'path=config.json',
  'path=notes.txt',
  'path=.auth_state',
  'size=0',
  'size=1',
  'size=999999999999',
  'size=-5',
  'size=abc',
  'linkpath=/etc/passwd',
  'mtime=garbage',
  'mtime=1e400',
  'path=',
  'uid=-1',
  'comment=hello',
];

/** One PAX record line, its length prefix right (`ok`) or not. */
function paxLine(record: string, ok: boolean): string {
  const body = ` ${record}\n`;
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length += 1;
  return `${ok ? length : length + 7}${body}`;
}

const paxHeader: MutationKind = {
  name: 'tar-pax-header',
  weight: 5,
  async apply(source, prng) {
    const model = cloneTar(source.tar);
    const index = prng.int(0, model.entries.length - 1);
    const records = [prng.pick(PAX_RECORDS), ...(prng.chance(0.3) ? [prng.pick(PAX_RECORDS)] : [])];
    const ok = prng.chance(0.8);
    const content = records.map((record) => paxLine(record, ok)).join('') + (prng.chance(0.1) ? 'trailing junk' : '');
    // A PAX `x` header built as a file entry, then retyped.
    const [pax] = parseTar(await buildTar([{ name: 'PaxHeaders/x', content }])).entries;
    const header = mainHeader(pax!);
    setField(header, 'typeflag', 'x');
    fixChecksum(header);
    const entry = model.entries[index]!;
    model.entries[index] = { ...entry, raw: Buffer.concat([pax!.raw, entry.raw]), headerAt: entry.headerAt + pax!.raw.length };
    return {
      description: `PAX header before entry ${index} (${entry.name}): ${JSON.stringify(content)}`,
      bytes: compressTar(model, source, index !== 0),
    };
  },
};

export const TAR_HEADER_MUTATIONS: MutationKind[] = [headerField, paxHeader];
