/**
 * Regression (found by the fuzzer: 42 bytes of 0xff in a body member of our archive, read from a
 * stream): a gzip error while the archive arrives as a stream is reported as damage, never as
 * CANCELLED. The inflater used to close its input when zlib failed, which destroyed the upstream
 * stage with an AbortError that won the race against the zlib error.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreBackup, validateArchive } from '../../src/index.ts';
import { cleanupTempDirs, makeLiveDataDir, makeTempDir, restoreWorkFiles, snapshotDir } from '../support/restore-support.ts';
import { splitGzipMembers } from './gzip-members.ts';
import { ownArchive, seedSmallDataDir } from './seeded-archive.ts';
import { lockerErrorOf } from '../support/locker-error-of.ts';

let archive: Buffer;

beforeAll(async () => {
  const scratch = makeTempDir('corrupt-stream');
  seedSmallDataDir(`${scratch}/data`, 7);
  archive = await ownArchive(`${scratch}/data`, scratch, 16 * 1024);
}, 120_000);
afterAll(cleanupTempDirs);

function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

async function code(promise: Promise<unknown>): Promise<string> {
  return (await lockerErrorOf(promise)).code;
}

describe('a corrupt archive read from a stream', () => {
  it('is refused as damaged, not as cancelled, wherever the damage is', async () => {
    const members = splitGzipMembers(archive);
    // The middle of the deflate data of ten body members spread over the archive.
    const picks = Array.from({ length: 10 }, (_, i) => members[1 + Math.floor((i * (members.length - 2)) / 10)]!);
    for (const member of picks) {
      const broken = Buffer.from(archive);
      broken.fill(0xff, member.offset + Math.floor(member.length / 2), member.offset + Math.floor(member.length / 2) + 42);
      for (const parallelInflate of [false, true]) {
        const dataDir = makeLiveDataDir();
        const before = snapshotDir(dataDir);
        const restored = await code(
          restoreBackup({ source: chunked(broken, 65_536), dataDir, parallelInflate, migrate: async () => undefined }),
        );
        const validated = await code(validateArchive(chunked(broken, 65_536), { parallelInflate }));
        expect([restored, validated, member.offset]).toEqual([
          expect.stringMatching(/^ARCHIVE_(CORRUPT|TRUNCATED)$/),
          expect.stringMatching(/^ARCHIVE_(CORRUPT|TRUNCATED)$/),
          member.offset,
        ]);
        expect(snapshotDir(dataDir)).toEqual(before);
        expect(restoreWorkFiles(dataDir)).toEqual([]);
      }
    }
  }, 120_000);
});
