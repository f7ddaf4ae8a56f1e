/**
 * A gzip member whose CRC32 or ISIZE does not match its data is refused before anything is
 * published, even when the tar inside is whole: for DOCSight's single-member archive and for every
 * kind of member of ours (the meta's, a body member, the end-of-archive member), on the sequential
 * path and on the parallel one along the meta's `gzip_members`.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive, restoreBackup, validateArchive } from '../../src/index.ts';
import { FIXTURE_A, cleanupTempDirs, makeLiveDataDir, makeTempDir, restoreWorkFiles, snapshotDir } from '../support/restore-support.ts';
import { splitGzipMembers, type GzipMember } from './gzip-members.ts';
import { ownArchive, seedSmallDataDir } from './seeded-archive.ts';
import { parseTar } from './tar-entries.ts';
import { lockerErrorOf } from '../support/locker-error-of.ts';

let ours: Buffer;
let docsight: Buffer;
let scratch: string;

beforeAll(async () => {
  scratch = makeTempDir('trailer');
  const dataDir = path.join(scratch, 'data');
  seedSmallDataDir(dataDir, 7);
  ours = await ownArchive(dataDir, scratch, 16 * 1024);
  docsight = fs.readFileSync(FIXTURE_A);
}, 120_000);
afterAll(cleanupTempDirs);

type TrailerField = 'crc32' | 'isize';

/** `archive` with one bit of `field` of `member` flipped. */
function flipTrailer(archive: Buffer, member: GzipMember, field: TrailerField): Buffer {
  const copy = Buffer.from(archive);
  const at = member.offset + member.length - (field === 'crc32' ? 8 : 4);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

/** The inflated tar of every member, trailers unchecked: the tar a lenient reader would see. */
function inflateIgnoringTrailers(archive: Buffer): Buffer {
  return Buffer.concat(
    splitGzipMembers(archive).map((member) =>
      zlib.inflateRawSync(archive.subarray(member.offset + member.headerLength, member.offset + member.length - 8)),
    ),
  );
}

/** Restores `archive` over a live data dir and checks it is refused with nothing published. */
async function expectRefusedUnpublished(archive: Buffer, parallelInflate: boolean): Promise<void> {
  expect((await lockerErrorOf(validateArchive(archive, { parallelInflate }))).code).toBe('ARCHIVE_CORRUPT');
  const dataDir = makeLiveDataDir();
  const before = snapshotDir(dataDir);
  let reachedPublish = false;
  const error = await lockerErrorOf(
    restoreBackup({
      source: archive,
      dataDir,
      parallelInflate,
      migrate: async () => undefined,
      beforePublish: async () => {
        reachedPublish = true;
      },
    }),
  );
  expect(error.code).toBe('ARCHIVE_CORRUPT');
  expect(reachedPublish).toBe(false);
  expect(snapshotDir(dataDir)).toEqual(before);
  expect(restoreWorkFiles(dataDir)).toEqual([]);
}

describe('gzip trailer checks', () => {
  for (const field of ['crc32', 'isize'] as const) {
    it(`refuses DOCSight's archive with a flipped ${field} although its tar is whole`, async () => {
      const members = splitGzipMembers(docsight);
      expect(members).toHaveLength(1);
      const broken = flipTrailer(docsight, members[0]!, field);
      const tar = parseTar(inflateIgnoringTrailers(broken));
      expect(tar.entries.map((entry) => entry.name)).toEqual([
        'backup_meta.json',
        'connection_monitor.db',
        'docsis_history.db',
        'config.json',
        '.config_key',
        '.session_key',
        '.auth_state',
      ]);
      expect(tar.trailer.length).toBeGreaterThanOrEqual(1024);
      await expectRefusedUnpublished(broken, false);
    });

    for (const which of ['meta', 'body', 'end-of-archive'] as const) {
      for (const parallelInflate of [false, true]) {
        it(`refuses our archive with a flipped ${field} in the ${which} member (parallel inflate ${parallelInflate})`, async () => {
          const members = splitGzipMembers(ours);
          expect(members.length).toBeGreaterThan(10);
          const member =
            which === 'meta' ? members[0]! : which === 'body' ? members[Math.floor(members.length / 2)]! : members[members.length - 1]!;
          const broken = flipTrailer(ours, member, field);
          expect(parseTar(inflateIgnoringTrailers(broken)).entries).toHaveLength(5);
          await expectRefusedUnpublished(broken, parallelInflate);
        });
      }
    }
  }

  it('takes the parallel path for our archive when asked, and the sequential one otherwise', async () => {
    const drain = async (_member: unknown, content: AsyncIterable<unknown>): Promise<void> => {
      for await (const _chunk of content) {
        // drained
      }
    };
    expect((await readArchive(ours, drain, { parallelInflate: true })).inflation).toBe('parallel');
    expect((await readArchive(ours, drain, { parallelInflate: false })).inflation).toBe('sequential');
  });
});
