/**
 * Hostile and broken archives: each one is rejected with its own code and message, and a restore
 * of it leaves the live data dir byte-identical with no work file left behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createGzip, gzipSync, inflateRawSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { LockerError, LockerErrorCode } from '../src/errors.ts';
import { restoreBackup } from '../src/archive/restore/restore-backup.ts';
import { validateArchive } from '../src/archive/read/validate-archive.ts';
import type { ReadArchiveLimits } from '../src/archive/format/read-archive-limits.ts';
import {
  buildTar,
  buildTarGz,
  cleanupTempDirs,
  makeLiveDataDir,
  memberDigests,
  metaText,
  restoreWorkFiles,
  snapshotDbBytes,
  snapshotDir,
  type TarMember,
} from './support/restore-support.ts';
import { lockerErrorOf } from './support/locker-error-of.ts';

afterEach(cleanupTempDirs);

const META: TarMember = { name: 'backup_meta.json', content: metaText() };
const CONFIG: TarMember = { name: 'config.json', content: '{"modem_type":"fritzbox"}' };

interface HostileCase {
  title: string;
  archive: () => Promise<Buffer>;
  code: LockerErrorCode;
  message: RegExp;
  /** false when only a restore can see the problem (database content, config content). */
  validateFails?: boolean;
  limits?: Partial<ReadArchiveLimits>;
}

/** Rejects with a LockerError of `code` whose message matches. */
async function expectLockerError(promise: Promise<unknown>, code: LockerErrorCode, message: RegExp): Promise<LockerError> {
  const lockerError = await lockerErrorOf(promise);
  expect({ code: lockerError.code, message: lockerError.message }).toMatchObject({ code });
  expect(lockerError.message).toMatch(message);
  return lockerError;
}

/** Restores `archive` over a live data dir and checks the failure leaves it byte-identical. */
async function expectRestoreRejected(
  archive: Buffer | Readable,
  code: LockerErrorCode,
  message: RegExp,
  limits?: Partial<ReadArchiveLimits>,
): Promise<void> {
  const dataDir = makeLiveDataDir();
  const before = snapshotDir(dataDir);
  await expectLockerError(restoreBackup({ source: archive, dataDir, ...(limits ? { limits } : {}) }), code, message);
  expect(snapshotDir(dataDir)).toEqual(before);
  expect(restoreWorkFiles(dataDir)).toEqual([]);
}

/** `size` bytes that start like a SQLite database (the header's magic), zeros after it. */
function sqliteHeaded(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  bytes.write('SQLite format 3\0', 'latin1');
  return bytes;
}

function flipByte(bytes: Buffer, offsetFromEnd: number): Buffer {
  const copy = Buffer.from(bytes);
  const index = copy.length - offsetFromEnd;
  copy[index] = copy[index]! ^ 0xff;
  return copy;
}

const cases: HostileCase[] = [
  {
    title: 'a ../ path traversal member',
    archive: () => buildTarGz([META, { name: '../etc/passwd', content: 'root:x:0:0' }]),
    code: 'MEMBER_UNSAFE',
    message: /^Unsafe path in archive: \.\.\/etc\/passwd$/,
  },
  {
    title: 'an absolute member name',
    archive: () => buildTarGz([META, { name: '/etc/passwd', content: 'root:x:0:0' }]),
    code: 'MEMBER_UNSAFE',
    message: /^Unsafe path in archive: \/etc\/passwd$/,
  },
  {
    title: 'a name that climbs out through a/../../b',
    archive: () => buildTarGz([META, { name: 'a/../../b', content: 'x' }]),
    code: 'MEMBER_UNSAFE',
    message: /Unsafe path in archive: a\/\.\.\/\.\.\/b/,
  },
  {
    title: 'a backslash name',
    archive: () => buildTarGz([META, { name: '..\\config.json', content: 'x' }]),
    code: 'MEMBER_UNSAFE',
    message: /Unsafe path in archive/,
  },
  {
    title: 'a drive-letter name',
    archive: () => buildTarGz([META, { name: 'C:/config.json', content: 'x' }]),
    code: 'MEMBER_UNSAFE',
    message: /Unsafe path in archive: C:\/config\.json/,
  },
  {
    title: 'a PAX path record that overrides a harmless ustar name with ../',
    archive: () => buildTarGz([META, { name: 'config.json', content: '{}', pax: { path: '../config.json' } }]),
    code: 'MEMBER_UNSAFE',
    message: /^Unsafe path in archive: \.\.\/config\.json$/,
  },
  {
    title: 'a PAX path record with a control character',
    archive: () => buildTarGz([META, { name: 'config.json', content: '{}', pax: { path: 'config.json\u0007' } }]),
    code: 'MEMBER_UNSAFE',
    message: /Unsafe path in archive: config\.json\\u0007/,
  },
  {
    title: 'a symlink member named config.json',
    archive: () => buildTarGz([META, { name: 'config.json', type: 'symlink', linkname: '/etc/passwd' }]),
    code: 'MEMBER_NOT_REGULAR',
    message: /config\.json is a symbolic link, not a regular file/,
  },
  {
    title: 'a symlink member with an unknown name',
    archive: () => buildTarGz([META, { name: 'innocent', type: 'symlink', linkname: '../../etc' }]),
    code: 'MEMBER_NOT_REGULAR',
    message: /innocent is a symbolic link/,
  },
  {
    title: 'a hard link member',
    archive: () => buildTarGz([META, CONFIG, { name: '.config_key', type: 'link', linkname: 'config.json' }]),
    code: 'MEMBER_NOT_REGULAR',
    message: /\.config_key is a hard link/,
  },
  {
    title: 'a character device',
    archive: () => buildTarGz([META, { name: '.session_key', type: 'character-device' }]),
    code: 'MEMBER_NOT_REGULAR',
    message: /\.session_key is a character device/,
  },
  {
    title: 'a block device',
    archive: () => buildTarGz([META, { name: 'docsis_history.db', type: 'block-device' }]),
    code: 'MEMBER_NOT_REGULAR',
    message: /docsis_history\.db is a block device/,
  },
  {
    title: 'a fifo',
    archive: () => buildTarGz([META, { name: '.auth_state', type: 'fifo' }]),
    code: 'MEMBER_NOT_REGULAR',
    message: /\.auth_state is a fifo/,
  },
  {
    title: 'a directory named docsis_history.db',
    archive: () => buildTarGz([META, { name: 'docsis_history.db', type: 'directory' }]),
    code: 'MEMBER_NOT_REGULAR',
    message: /docsis_history\.db is a directory/,
  },
  {
    title: 'a duplicate member',
    archive: () => buildTarGz([META, CONFIG, { name: 'config.json', content: '{"modem_type":"evil"}' }]),
    code: 'MEMBER_DUPLICATE',
    message: /config\.json appears more than once/,
  },
  {
    title: 'a duplicate hidden behind a ./ prefix',
    archive: () => buildTarGz([META, CONFIG, { name: './config.json', content: '{"modem_type":"evil"}' }]),
    code: 'MEMBER_DUPLICATE',
    message: /config\.json appears more than once/,
  },
  {
    title: 'a duplicate backup_meta.json',
    archive: () => buildTarGz([META, { name: 'backup_meta.json', content: metaText({ format_version: 2 }) }]),
    code: 'MEMBER_DUPLICATE',
    message: /backup_meta\.json appears more than once/,
  },
  {
    title: 'a member larger than the size cap',
    archive: () => buildTarGz([META, { name: 'docsis_history.db', content: Buffer.alloc(8 * 1024 * 1024) }]),
    limits: { maxDatabaseSize: 1024 * 1024 },
    code: 'MEMBER_TOO_LARGE',
    message: /docsis_history\.db is 8388608 bytes, more than the limit of 1048576/,
  },
  {
    title: 'a config file larger than the small-file cap of 1 MiB',
    archive: () => buildTarGz([META, { name: 'config.json', content: `{"x":"${'a'.repeat(1024 * 1024)}"}` }]),
    code: 'MEMBER_TOO_LARGE',
    message: /config\.json is \d+ bytes, more than the limit of 1048576/,
  },
  {
    title: 'members that together exceed the total cap',
    archive: () =>
      buildTarGz([
        META,
        { name: 'docsis_history.db', content: sqliteHeaded(600 * 1024) },
        { name: 'connection_monitor.db', content: sqliteHeaded(600 * 1024) },
      ]),
    limits: { maxTotalSize: 1024 * 1024 },
    code: 'ARCHIVE_TOO_LARGE',
    message: /unpack to more than the limit of 1048576 bytes/,
  },
  {
    title: 'megabytes of zero blocks after the last member',
    archive: async () => gzipSync(Buffer.concat([await buildTar([META, CONFIG]), Buffer.alloc(8 * 1024 * 1024)])),
    limits: { maxOverheadSize: 1024 * 1024 },
    code: 'ARCHIVE_TOO_LARGE',
    message: /more than 1048576 bytes of tar headers and padding/,
  },
  {
    title: 'too many members',
    archive: () => buildTarGz([META, ...Array.from({ length: 70 }, (_, index) => ({ name: `extra-${index}.txt`, content: 'x' }))]),
    code: 'MEMBER_TOO_MANY',
    message: /more than 64 members/,
  },
  {
    title: 'a truncated gzip stream',
    archive: async () => {
      const whole = await buildTarGz([META, CONFIG]);
      return whole.subarray(0, whole.length - 20);
    },
    code: 'ARCHIVE_TRUNCATED',
    message: /^Invalid archive: compressed file ended before the end-of-stream marker was reached$/,
  },
  {
    title: 'a flipped CRC32 in the gzip trailer',
    archive: async () => flipByte(await buildTarGz([META, CONFIG]), 8),
    code: 'ARCHIVE_CORRUPT',
    message: /^Invalid archive: corrupt gzip data \(incorrect data check\)$/,
  },
  {
    title: 'a flipped ISIZE in the gzip trailer',
    archive: async () => flipByte(await buildTarGz([META, CONFIG]), 1),
    code: 'ARCHIVE_CORRUPT',
    message: /^Invalid archive: corrupt gzip data \(incorrect length check\)$/,
  },
  {
    title: 'a tar cut short inside a complete gzip stream',
    archive: async () => {
      const tar = await buildTar([META, { name: 'docsis_history.db', content: Buffer.alloc(4096, 1) }]);
      return gzipSync(tar.subarray(0, 512 + 1024 + 512 + 1000));
    },
    code: 'ARCHIVE_TRUNCATED',
    message: /^Invalid archive: unexpected end of data$/,
  },
  {
    title: 'garbage bytes',
    archive: async () => Buffer.from('not a tar file'),
    code: 'ARCHIVE_NOT_GZIP',
    message: /^Invalid archive: not a gzip file$/,
  },
  {
    title: 'a plain (uncompressed) tar',
    archive: () => buildTar([META, CONFIG]),
    code: 'ARCHIVE_NOT_GZIP',
    message: /^Invalid archive: not a gzip file$/,
  },
  {
    title: 'an empty file',
    archive: async () => Buffer.alloc(0),
    code: 'ARCHIVE_EMPTY',
    message: /^Invalid archive: empty file$/,
  },
  {
    title: 'gzip-compressed garbage that is no tar',
    archive: async () => gzipSync(Buffer.from('x'.repeat(2048))),
    code: 'ARCHIVE_INVALID_TAR',
    message: /^Invalid archive: invalid header$/,
  },
  {
    title: 'a meta that is a JSON array',
    archive: () => buildTarGz([{ name: 'backup_meta.json', content: '[1,2]' }, CONFIG]),
    code: 'META_INVALID',
    message: /backup_meta\.json is not a JSON object/,
  },
  {
    title: 'a meta that is a JSON string',
    archive: () => buildTarGz([{ name: 'backup_meta.json', content: '"x"' }, CONFIG]),
    code: 'META_INVALID',
    message: /backup_meta\.json is not a JSON object/,
  },
  {
    title: 'a meta that is not JSON',
    archive: () => buildTarGz([{ name: 'backup_meta.json', content: '{magic: 1}' }, CONFIG]),
    code: 'META_UNREADABLE',
    message: /^Cannot read backup_meta\.json: .*property name/,
  },
  {
    title: 'a wrong magic value',
    archive: () => buildTarGz([{ name: 'backup_meta.json', content: '{"magic":"wrong","format_version":1}' }, CONFIG]),
    code: 'MAGIC_MISMATCH',
    message: /^Invalid backup: wrong magic value$/,
  },
  {
    title: 'a string format_version',
    archive: () => buildTarGz([{ name: 'backup_meta.json', content: metaText({ format_version: '1' }) }, CONFIG]),
    code: 'FORMAT_VERSION_INVALID',
    message: /format_version must be an integer, got "1"/,
  },
  {
    title: 'no backup_meta.json at all',
    archive: () => buildTarGz([{ name: 'random.txt', content: 'hello' }]),
    code: 'META_MISSING',
    message: /^Missing backup_meta\.json - not a valid DOCSight backup$/,
  },
  {
    title: 'a member before backup_meta.json whose SHA-256 differs from the meta',
    archive: () =>
      buildTarGz([
        CONFIG,
        {
          name: 'backup_meta.json',
          content: metaText({ members: memberDigests([{ name: 'config.json', content: '{"modem_type":"fritzboX"}' }]) }),
        },
      ]),
    code: 'MEMBER_CHECKSUM_MISMATCH',
    message: /checksum mismatch for config\.json/,
  },
  {
    title: 'a member whose SHA-256 differs from the meta',
    archive: () =>
      buildTarGz([
        {
          name: 'backup_meta.json',
          content: metaText({ members: memberDigests([{ name: 'config.json', content: '{"modem_type":"fritzboX"}' }]) }),
        },
        CONFIG,
      ]),
    code: 'MEMBER_CHECKSUM_MISMATCH',
    message: /checksum mismatch for config\.json/,
  },
  {
    title: 'a sound database whose SHA-256 differs from the meta',
    archive: () => {
      const db = { name: 'docsis_history.db', content: snapshotDbBytes(['archived'], { wal: true }) };
      const other = { name: 'docsis_history.db', content: snapshotDbBytes(['replaced'], { wal: true }) };
      return buildTarGz([{ name: 'backup_meta.json', content: metaText({ members: memberDigests([other]) }) }, db]);
    },
    code: 'MEMBER_CHECKSUM_MISMATCH',
    message: /checksum mismatch for docsis_history\.db/,
  },
  {
    title: 'a member whose size differs from the meta',
    archive: () =>
      buildTarGz([
        { name: 'backup_meta.json', content: metaText({ members: memberDigests([{ name: 'config.json', content: '{}' }]) }) },
        CONFIG,
      ]),
    code: 'MEMBER_CHECKSUM_MISMATCH',
    message: /config\.json is 25 bytes but backup_meta\.json says 2/,
  },
  {
    title: 'a member listed in the meta but missing from the archive',
    archive: () =>
      buildTarGz([
        { name: 'backup_meta.json', content: metaText({ members: memberDigests([CONFIG, { name: '.config_key', content: 'k' }]) }) },
        CONFIG,
      ]),
    code: 'MEMBER_CHECKSUM_MISMATCH',
    message: /\.config_key is listed in backup_meta\.json but missing from the archive/,
  },
  {
    title: 'a member missing from a meta that lists digests',
    archive: () =>
      buildTarGz([
        { name: 'backup_meta.json', content: metaText({ members: memberDigests([CONFIG]) }) },
        CONFIG,
        { name: '.config_key', content: 'unlisted' },
      ]),
    code: 'MEMBER_CHECKSUM_MISMATCH',
    message: /\.config_key is not listed in backup_meta\.json/,
  },
  {
    title: 'a corrupt database',
    archive: () => buildTarGz([META, { name: 'docsis_history.db', content: 'not a sqlite database' }, CONFIG]),
    code: 'DATABASE_CORRUPT',
    message: /^Restored database failed verification: docsis_history\.db \(file is not a database\)$/,
    validateFails: false,
  },
  {
    title: 'a database with damaged pages',
    archive: async () => {
      const db = snapshotDbBytes(['a', 'b']);
      db.fill(0xee, 4096 + 8, 4096 + 200); // the snapshots table's b-tree page
      return buildTarGz([META, { name: 'docsis_history.db', content: db }]);
    },
    code: 'DATABASE_CORRUPT',
    message: /^Restored database failed (integrity check|verification): docsis_history\.db/,
    validateFails: false,
  },
  {
    title: 'a config.json that is a JSON array',
    archive: () => buildTarGz([META, { name: 'config.json', content: '[1]' }]),
    code: 'CONFIG_INVALID',
    message: /^Invalid backup: config\.json is not a JSON object$/,
    validateFails: false,
  },
  {
    title: 'a config.json that is the JSON string "text"',
    archive: () => buildTarGz([META, { name: 'config.json', content: '"text"' }]),
    code: 'CONFIG_INVALID',
    message: /^Invalid backup: config\.json is not a JSON object$/,
    validateFails: false,
  },
  {
    title: 'a config.json that is the JSON number 42',
    archive: () => buildTarGz([META, { name: 'config.json', content: '42' }]),
    code: 'CONFIG_INVALID',
    message: /^Invalid backup: config\.json is not a JSON object$/,
    validateFails: false,
  },
  {
    title: 'a config.json that is the JSON null',
    archive: () => buildTarGz([META, { name: 'config.json', content: 'null' }]),
    code: 'CONFIG_INVALID',
    message: /^Invalid backup: config\.json is not a JSON object$/,
    validateFails: false,
  },
  {
    title: 'a config.json that is not JSON',
    archive: () => buildTarGz([META, { name: 'config.json', content: '{modem_type' }]),
    code: 'CONFIG_INVALID',
    message: /^Invalid backup: config\.json is not valid JSON: /,
    validateFails: false,
  },
  {
    title: 'an archive with no data files',
    archive: () => buildTarGz([META]),
    code: 'ARCHIVE_NO_DATA',
    message: /nothing to restore/,
    validateFails: false,
  },
];

describe('hostile and broken archives', () => {
  for (const hostile of cases) {
    it(`rejects ${hostile.title} and keeps the live data dir byte-identical`, async () => {
      const archive = await hostile.archive();
      await expectRestoreRejected(archive, hostile.code, hostile.message, hostile.limits);
      if (hostile.validateFails !== false) {
        await expectLockerError(validateArchive(archive, hostile.limits ? { limits: hostile.limits } : {}), hostile.code, hostile.message);
      }
    });
  }

  it('rejects a flipped CRC even though the tar inside is complete and parses', async () => {
    const archive = flipByte(await buildTarGz([META, CONFIG]), 8);
    // The deflate body between the 10-byte header and the 8-byte trailer is intact.
    const tar = inflateRawSync(archive.subarray(10, archive.length - 8));
    const names: string[] = [];
    const extract = tarStream.extract();
    const reading = (async () => {
      for await (const entry of extract as AsyncIterable<Readable & { header: { name: string } }>) {
        names.push(entry.header.name);
        entry.resume();
      }
    })();
    extract.end(tar);
    await reading;
    expect(names).toEqual(['backup_meta.json', 'config.json']);
    await expectRestoreRejected(archive, 'ARCHIVE_CORRUPT', /incorrect data check/);
  });

  it('removes a data dir it created when the restore fails', async () => {
    const parent = makeLiveDataDir();
    const dataDir = path.join(parent, 'new-instance');
    await expectLockerError(
      restoreBackup({ source: await buildTarGz([META, { name: 'docsis_history.db', content: 'junk' }]), dataDir }),
      'DATABASE_CORRUPT',
      /docsis_history\.db/,
    );
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});

/**
 * A gzip stream made on demand: a meta member, then a tar header declaring `declaredSize` bytes for
 * `docsis_history.db`, then zeros without end. Returns the stream and a counter of the
 * uncompressed bytes it produced so far.
 */
async function zeroBomb(declaredSize: number): Promise<{ stream: Readable; produced: () => number }> {
  const head = await buildTar([META]);
  const prefix = head.subarray(0, head.length - 1024); // without the end-of-archive blocks
  const pack = tarStream.pack();
  const headerChunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => headerChunks.push(chunk as Buffer));
  pack.entry({ name: 'docsis_history.db', size: declaredSize, mtime: new Date(0) });
  await new Promise((resolve) => setImmediate(resolve));
  const bombHeader = Buffer.concat(headerChunks).subarray(0, 512);
  expect(bombHeader.length).toBe(512);
  let produced = 0;
  const zeros = Buffer.alloc(1024 * 1024);
  const plain = Readable.from(
    (function* generate() {
      produced += prefix.length + bombHeader.length;
      yield Buffer.concat([prefix, bombHeader]);
      for (;;) {
        produced += zeros.length;
        yield zeros;
      }
    })(),
  );
  return { stream: plain.pipe(createGzip({ level: 1 })), produced: () => produced };
}

describe('gzip bombs', () => {
  it('stops a 20 GiB zero stream with the default caps before reading it', async () => {
    const bomb = await zeroBomb(20 * 1024 ** 3);
    const started = Date.now();
    await expectRestoreRejected(
      bomb.stream,
      'MEMBER_TOO_LARGE',
      /docsis_history\.db is 21474836480 bytes, more than the limit of 17179869184/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(bomb.produced()).toBeLessThan(64 * 1024 * 1024);
  });

  it('rejects a bomb under a small member cap given through the options', async () => {
    const bomb = await zeroBomb(512 * 1024 ** 2);
    const started = Date.now();
    await expectRestoreRejected(bomb.stream, 'MEMBER_TOO_LARGE', /more than the limit of 4194304/, {
      maxDatabaseSize: 4 * 1024 * 1024,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(bomb.produced()).toBeLessThan(64 * 1024 * 1024);
  });

  it('stops endless zero blocks after the last member with the default overhead cap', async () => {
    const head = await buildTar([META, CONFIG]);
    let produced = 0;
    const zeros = Buffer.alloc(1024 * 1024);
    const plain = Readable.from(
      (function* generate() {
        yield head;
        for (;;) {
          produced += zeros.length;
          yield zeros;
        }
      })(),
    );
    await expectRestoreRejected(plain.pipe(createGzip({ level: 1 })), 'ARCHIVE_TOO_LARGE', /tar headers and padding/);
    expect(produced).toBeLessThan(64 * 1024 * 1024);
  });
});
