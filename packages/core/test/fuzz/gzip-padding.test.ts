/**
 * Regression (found by the fuzzer: DOCSight's archive with 2 MiB of zeros appended, read from a
 * stream, was refused as CANCELLED by validate while the restore accepted it): zero padding after
 * the last gzip member reads the same from a buffer and from a stream, on both inflate paths. Up to
 * 1 MiB of zeros is padding; more, or anything else after it, is trailing data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreBackup, validateArchive, validateArchiveFile } from '../../src/index.ts';
import { buildTarGz, cleanupTempDirs, makeLiveDataDir, makeTempDir, metaText } from '../support/restore-support.ts';
import { ownArchive, seedSmallDataDir } from './seeded-archive.ts';
import { lockerErrorOf } from '../support/locker-error-of.ts';

const archives: Record<string, Buffer> = {};

beforeAll(async () => {
  archives['single-member'] = await buildTarGz([
    { name: 'backup_meta.json', content: metaText() },
    { name: 'config.json', content: '{"modem_type":"fritzbox"}' },
  ]);
  const scratch = makeTempDir('padding');
  seedSmallDataDir(path.join(scratch, 'data'), 7);
  archives['ours'] = await ownArchive(path.join(scratch, 'data'), scratch, 16 * 1024);
}, 120_000);
afterAll(cleanupTempDirs);

/** The archive, then each of `tail` as a chunk of its own, as a file or an upload arrives. */
function streamed(archive: Buffer, ...tail: Buffer[]): Readable {
  return Readable.from([archive, ...tail]);
}

describe('zero padding after the last gzip member', () => {
  for (const kind of ['single-member', 'ours']) {
    for (const parallelInflate of [false, true]) {
      const options = { parallelInflate };
      it(`reads ${kind} archive with padding in chunks of its own (parallel inflate ${parallelInflate})`, async () => {
        const archive = archives[kind]!;
        await validateArchive(streamed(archive, Buffer.alloc(512)), options);
        await validateArchive(streamed(archive, Buffer.alloc(65_536), Buffer.alloc(65_536)), options);
        const dataDir = makeLiveDataDir();
        await restoreBackup({ source: streamed(archive, Buffer.alloc(10_240)), dataDir, migrate: async () => undefined, ...options });
        expect(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')).toMatch(/fritzbox/);
      });

      it(`refuses ${kind} archive with zeros, then other bytes (parallel inflate ${parallelInflate})`, async () => {
        const archive = archives[kind]!;
        for (const source of [
          streamed(archive, Buffer.alloc(100), Buffer.from('x')),
          Buffer.concat([archive, Buffer.alloc(100), Buffer.from('x')]),
        ]) {
          const error = await lockerErrorOf(validateArchive(source, options));
          expect([error.code, error.details]).toEqual(['ARCHIVE_CORRUPT', { reason: 'trailing_data' }]);
        }
      });

      it(`refuses ${kind} archive with more than 1 MiB of zeros after it (parallel inflate ${parallelInflate})`, async () => {
        const error = await lockerErrorOf(validateArchive(streamed(archives[kind]!, Buffer.alloc(1024 * 1024), Buffer.alloc(1)), options));
        expect([error.code, error.details]).toEqual(['ARCHIVE_CORRUPT', { reason: 'trailing_data' }]);
        // In many small chunks: the inflater reads the padding to its end rather than stalling.
        const small = Array.from({ length: 512 }, () => Buffer.alloc(4096));
        const again = await lockerErrorOf(validateArchive(streamed(archives[kind]!, ...small), options));
        expect(again.code).toBe('ARCHIVE_CORRUPT');
        await validateArchive(streamed(archives[kind]!, ...small.slice(0, 256)), options);
      }, 20_000);
    }
  }

  it('reads a padded archive file as validateArchiveFile streams it', async () => {
    const file = path.join(makeTempDir('padding-file'), 'padded.tar.gz');
    fs.writeFileSync(file, Buffer.concat([archives['ours']!, Buffer.alloc(200_000)]));
    expect((await validateArchiveFile(file)).has_config).toBe(true);
  });
});
