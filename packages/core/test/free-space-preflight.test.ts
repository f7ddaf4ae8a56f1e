/**
 * The free-space preflight of backup and restore: refused before anything is written, with what is
 * needed and what is free, and nothing left behind. The filesystem's free space is simulated by
 * replacing `statfs`; a disk that really fills up mid-run is tested on a small tmpfs in
 * reliability/test/full-disk.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createBackup,
  estimateUnpackedBytes,
  FREE_SPACE_MARGIN,
  isLockerError,
  restoreBackup,
  restoreDataDir,
  type LockerError,
} from '../src/index.ts';
import { makeDataDir } from './support/create-backup-fixtures.ts';
import { cleanupTempDirs, FIXTURE_A, makeLiveDataDir, makeTempDir, snapshotDir } from './support/restore-support.ts';

function reportFree(free: number): void {
  vi.spyOn(fs.promises, 'statfs').mockResolvedValue({ bavail: free, bsize: 1 } as fs.StatsFs);
}

async function refusal(promise: Promise<unknown>): Promise<LockerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isLockerError(error, 'DISK_FULL'), String(error)).toBe(true);
  return error as LockerError;
}

/** One of our own archives of a small data dir, with its unpacked data size from the meta. */
async function ourArchive(): Promise<{ archive: string; unpacked: number }> {
  const source = makeDataDir({ userRows: 50, payloadBytes: 2000 });
  try {
    const backupDir = makeTempDir('preflight-backups');
    const result = await createBackup({ dataDir: source.dataDir, destination: { kind: 'directory', backupDir }, trigger: 'manual' });
    const unpacked = Object.values(result.meta.members).reduce((sum, member) => sum + member.size, 0);
    return { archive: result.path!, unpacked };
  } finally {
    source.cleanup();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
  cleanupTempDirs();
});

describe('backup preflight', () => {
  it('refuses before writing anything, saying what is needed and what is free', async () => {
    const source = makeDataDir({ userRows: 50 });
    try {
      const backupDir = makeTempDir('preflight-backups');
      const before = snapshotDir(source.dataDir);
      reportFree(10e6);
      const error = await refusal(
        createBackup({ dataDir: source.dataDir, destination: { kind: 'directory', backupDir }, trigger: 'manual' }),
      );
      expect(error.message).toMatch(
        /^Not enough free space for the backup in .+: it needs about \d+ MB, 10 MB are free on that disk\. Free up space/,
      );
      expect(snapshotDir(source.dataDir)).toEqual(before);
      expect(fs.readdirSync(backupDir)).toEqual([]);
    } finally {
      source.cleanup();
    }
  });
});

describe('restore preflight', () => {
  it('reads the need of our archives from the meta and of DOCSight archives from the gzip trailer', async () => {
    const { archive, unpacked } = await ourArchive();
    expect(await estimateUnpackedBytes(archive)).toBe(unpacked);
    // DOCSight's single gzip member: ISIZE is the whole tar, data members plus headers and padding.
    expect(await estimateUnpackedBytes(FIXTURE_A)).toBe(gunzipSync(fs.readFileSync(FIXTURE_A)).length);
  });

  it('refuses a restore that cannot fit before reading the archive, and the data dir stays as it was', async () => {
    const { archive, unpacked } = await ourArchive();
    const dataDir = makeLiveDataDir();
    const before = snapshotDir(dataDir);
    reportFree(unpacked + FREE_SPACE_MARGIN - 1);
    const source = fs.createReadStream(archive);
    const error = await refusal(restoreBackup({ source, archivePath: archive, dataDir }));
    expect(error.message).toContain(`for the restore in ${dataDir}: it needs about ${Math.ceil((unpacked + FREE_SPACE_MARGIN) / 1e6)} MB`);
    expect(source.destroyed).toBe(true);
    expect(snapshotDir(dataDir)).toEqual(before);
  });

  it('counts the pre-restore backup of a data dir that holds data', async () => {
    const { archive, unpacked } = await ourArchive();
    const dataDir = makeLiveDataDir();
    const backupDir = makeTempDir('preflight-pre-restore');
    reportFree(unpacked + FREE_SPACE_MARGIN + 1e6);
    const error = await refusal(restoreDataDir({ source: fs.createReadStream(archive), archivePath: archive, dataDir, backupDir }));
    // The copies of the live databases and the pre-restore archive come on top of the staged files.
    expect(error.details?.['needed']).toBeGreaterThan(unpacked + 2 * FREE_SPACE_MARGIN);
    expect(fs.readdirSync(backupDir)).toEqual([]);
  });

  it('checks each member of a stream before staging it', async () => {
    const { archive } = await ourArchive();
    const dataDir = makeTempDir('preflight-fresh');
    reportFree(FREE_SPACE_MARGIN / 2);
    const error = await refusal(restoreBackup({ source: fs.createReadStream(archive), dataDir: path.join(dataDir, 'data') }));
    expect(error.message).toContain('for the restore in');
    // The data dir this restore would have created is gone again.
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});
