/**
 * Regressions found by the fuzzer in archives without `members` digests (DOCSight's):
 * - a `.session_key` header whose size field said `1e3` restored a 1-byte key: a size field or PAX
 *   size record that is not a well-formed number is now refused, as Python's tarfile and GNU tar
 *   refuse it, instead of being read up to its first bad character;
 * - a history database whose size field was shrunk by one block of zeros restored short, and the
 *   members after it too, which Python's tarfile never reaches: a member after a zero block (the
 *   end-of-archive marker) is now refused;
 * - `.auth_state`, the last member, with its typeflag turned into `x` (a PAX header) vanished from
 *   the restore without a word: an extension header with no member after it is now refused.
 * Well-formed variants (space padding, base-256, zero blocks at the end) still read.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreBackup, validateArchive } from '../../src/index.ts';
import { RawHeaderWindow } from '../../src/archive/read/read-archive-raw-headers.ts';
import {
  buildTar,
  cleanupTempDirs,
  makeLiveDataDir,
  metaText,
  restoreWorkFiles,
  snapshotDir,
  type TarMember,
} from '../support/restore-support.ts';
import { TAR_BLOCK_SIZE } from '../../src/archive/format/ustar-header.ts';
import { fixChecksum, mainHeader, parseTar, serializeTar, setField } from './tar-entries.ts';
import { lockerErrorOf } from '../support/locker-error-of.ts';

afterEach(cleanupTempDirs);

const SESSION_KEY = Buffer.alloc(32, 9);
const MEMBERS: TarMember[] = [
  { name: 'backup_meta.json', content: metaText() },
  { name: 'config.json', content: '{"modem_type":"fritzbox"}' },
  { name: '.session_key', content: SESSION_KEY },
];

/** A DOCSight-style archive (no digests) whose `.session_key` size field reads `field`. */
async function withSizeField(field: Buffer | string): Promise<Buffer> {
  const model = parseTar(await buildTar(MEMBERS));
  const header = mainHeader(model.entries[2]!);
  setField(header, 'size', field);
  fixChecksum(header);
  return gzipSync(serializeTar(model));
}

describe('tar size fields', () => {
  const malformed: [string, Buffer | string][] = [
    ['"1e3" (read as 1 by parseInt)', '1e3'],
    ['"40" then NUL and more digits', '40\0 77'],
    ['leading NULs before the digits', Buffer.concat([Buffer.alloc(9), Buffer.from('40')])],
    ['a sign', '+40'],
  ];
  for (const [label, field] of malformed) {
    it(`refuses a size field ${label} and leaves the data dir byte-identical`, async () => {
      const archive = await withSizeField(field);
      const invalid = await lockerErrorOf(validateArchive(archive));
      expect(invalid.code).toBe('ARCHIVE_INVALID_TAR');
      expect(String(invalid.details?.['reason'])).toMatch(/size field/);
      const dataDir = makeLiveDataDir();
      const before = snapshotDir(dataDir);
      expect((await lockerErrorOf(restoreBackup({ source: archive, dataDir }))).code).toBe('ARCHIVE_INVALID_TAR');
      expect(snapshotDir(dataDir)).toEqual(before);
      expect(restoreWorkFiles(dataDir)).toEqual([]);
    });
  }

  it('refuses a PAX size record that is not a decimal number', async () => {
    const members = MEMBERS.map((member) => (member.name === '.session_key' ? { ...member, pax: { size: '1x' } } : member));
    const invalid = await lockerErrorOf(validateArchive(gzipSync(await buildTar(members))));
    expect(invalid.code).toBe('ARCHIVE_INVALID_TAR');
    expect(String(invalid.details?.['reason'])).toMatch(/PAX size/);
  });

  const wellFormed: [string, Buffer | string][] = [
    ['space padded, as old tars write it', '         40 '],
    ['terminated by a space', '00000000040 '],
    ['in base-256', Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32])],
  ];
  for (const [label, field] of wellFormed) {
    it(`reads a size field ${label}`, async () => {
      const result = await validateArchive(await withSizeField(field));
      expect(result.members.find((member) => member.name === '.session_key')?.size).toBe(32);
    });
  }
});

describe('zero blocks', () => {
  it('refuses a member that follows a zero block and leaves the data dir byte-identical', async () => {
    const model = parseTar(await buildTar(MEMBERS));
    model.entries.splice(2, 0, { raw: Buffer.alloc(TAR_BLOCK_SIZE), headerAt: 0, name: '(zero block)', size: 0 });
    const archive = gzipSync(serializeTar(model));
    const invalid = await lockerErrorOf(validateArchive(archive));
    expect(invalid.code).toBe('ARCHIVE_INVALID_TAR');
    expect(String(invalid.details?.['reason'])).toMatch(/end-of-archive marker/);
    const dataDir = makeLiveDataDir();
    const before = snapshotDir(dataDir);
    expect((await lockerErrorOf(restoreBackup({ source: archive, dataDir }))).code).toBe('ARCHIVE_INVALID_TAR');
    expect(snapshotDir(dataDir)).toEqual(before);
    expect(restoreWorkFiles(dataDir)).toEqual([]);
  });

  it('reads an archive that ends in many zero blocks', async () => {
    const model = parseTar(await buildTar(MEMBERS));
    model.trailer = Buffer.alloc(40 * TAR_BLOCK_SIZE);
    expect((await validateArchive(gzipSync(serializeTar(model)))).files).toEqual(['backup_meta.json', 'config.json', '.session_key']);
  });
});

describe('extension headers', () => {
  for (const typeflag of ['x', 'L']) {
    it(`refuses a last member turned into a '${typeflag}' header with no member after it`, async () => {
      const model = parseTar(await buildTar(MEMBERS));
      const header = mainHeader(model.entries[2]!);
      setField(header, 'typeflag', typeflag);
      fixChecksum(header);
      const invalid = await lockerErrorOf(validateArchive(gzipSync(serializeTar(model))));
      expect(invalid.code).toBe('ARCHIVE_INVALID_TAR');
      expect(String(invalid.details?.['reason'])).toMatch(/followed by no member/);
    });
  }
});

describe('RawHeaderWindow', () => {
  it('returns a block that spans chunks and forgets what was released', () => {
    const window = new RawHeaderWindow();
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    for (const [from, to] of [
      [0, 700],
      [700, 701],
      [701, 2000],
      [2000, 3000],
    ] as const)
      window.push(bytes.subarray(from, to));
    expect(window.block(512)).toEqual(bytes.subarray(512, 1024));
    expect(window.block(2600)).toBeUndefined();
    window.release(1024);
    expect(window.block(512)).toBeUndefined();
    expect(window.block(1024)).toEqual(bytes.subarray(1024, 1536));
    expect(window.block(2488)).toEqual(bytes.subarray(2488, 3000));
  });
});
