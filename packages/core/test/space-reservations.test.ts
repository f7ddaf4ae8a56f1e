/**
 * Concurrent writers cannot overcommit a disk: each free-space check counts what the others have
 * reserved and not written yet. And a "database" of zeros is refused at its first bytes, before it
 * is written out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureFreeSpace, freeBytes } from '../src/fs/ensure-free-space.ts';
import { reserveSpace } from '../src/fs/space-reservations.ts';
import { restoreDataDir } from '../src/archive/restore/restore-data-dir.ts';
import { ustarHeader } from '../src/archive/format/ustar-header.ts';
import { cleanupTempDirs, makeLiveDataDir, makeTempDir, metaText, restoreWorkFiles, snapshotDir } from './support/restore-support.ts';

afterEach(cleanupTempDirs);

describe('space reservations', () => {
  it('lets only as many concurrent writers start as the disk holds', async () => {
    const dir = makeTempDir('space');
    const share = Math.floor((await freeBytes(dir)) * 0.3);
    const attempts = await Promise.allSettled([1, 2, 3, 4].map(() => reserveSpace('upload', dir, share)));
    const granted = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    const refused = attempts.flatMap((attempt) => (attempt.status === 'rejected' ? [attempt.reason] : []));
    expect(granted).toHaveLength(3);
    expect(refused).toEqual([expect.objectContaining({ code: 'DISK_FULL' })]);
    // Every other check sees the promise too, until the writers are done.
    await expect(ensureFreeSpace('backup', [{ dir, bytes: share }])).rejects.toMatchObject({ code: 'DISK_FULL' });
    for (const reservation of granted) reservation.release();
    await expect(ensureFreeSpace('backup', [{ dir, bytes: share }])).resolves.toBeUndefined();
  });

  it("gives back what was written: those bytes are the disk's to count now", async () => {
    const dir = makeTempDir('space');
    const share = Math.floor((await freeBytes(dir)) * 0.6);
    const first = await reserveSpace('upload', dir, share);
    await expect(reserveSpace('upload', dir, share)).rejects.toMatchObject({ code: 'DISK_FULL' });
    first.consume(share);
    const second = await reserveSpace('upload', dir, share);
    second.release();
    first.release();
  });
});

describe('a database of zeros in an archive', () => {
  it('is refused at its first bytes, long before the rest is read', async () => {
    const dataDir = makeLiveDataDir();
    const before = snapshotDir(dataDir);
    const meta = Buffer.from(metaText());
    const databaseSize = 1024 * 1024 * 1024;
    // A small archive (about 4 MB) that declares a 1 GiB database of zeros.
    const archivePath = path.join(makeTempDir('archive'), 'zeros.tar.gz');
    await new Promise<void>((resolve, reject) => {
      const gzip = createGzip({ level: 1 });
      gzip.pipe(fs.createWriteStream(archivePath)).on('finish', resolve).on('error', reject);
      gzip.write(ustarHeader({ name: 'backup_meta.json', size: meta.length, mode: 0o644, mtime: 0 }));
      gzip.write(Buffer.concat([meta, Buffer.alloc((512 - (meta.length % 512)) % 512)]));
      gzip.write(ustarHeader({ name: 'docsis_history.db', size: databaseSize, mode: 0o644, mtime: 0 }));
      const zeros = Buffer.alloc(1024 * 1024);
      for (let written = 0; written < databaseSize; written += zeros.length) gzip.write(zeros);
      gzip.end(Buffer.alloc(1024));
    });
    const archiveSize = fs.statSync(archivePath).size;
    let read = 0;
    const source = new PassThrough();
    fs.createReadStream(archivePath, { highWaterMark: 16 * 1024 })
      .on('data', (chunk) => {
        read += chunk.length;
      })
      .pipe(source);

    const error = await restoreDataDir({ source, dataDir, backupDir: makeTempDir('backups') }).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'DATABASE_CORRUPT',
      message: 'Restored database failed verification: docsis_history.db (file is not a database)',
    });
    expect(read).toBeLessThan(archiveSize / 4);
    expect(snapshotDir(dataDir)).toEqual(before);
    expect(restoreWorkFiles(dataDir)).toEqual([]);
  });
});
