/**
 * Full disks, for real: small tmpfs filesystems mounted for the test (root is needed to mount; the
 * test fails, never skips, without it). The built CLI runs against them:
 * - a backup or a restore that cannot fit is refused up front, saying how much is needed and free;
 * - a disk that fills up while the operation runs (another process takes the space the moment the
 *   operation's first work file appears) ends in a clear error, with the data directory exactly as
 *   it was and no work file left behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillDisk, mountTmpfs, runCli, startCli, unmountAll } from '@evidence-locker/harness';
import { dataDirDigest, scratchDir, waitForEntry } from '../src/full-disk-support.ts';

let work: string;
let sourceDataDir: string;
let otherArchive: string;

beforeAll(async () => {
  work = scratchDir('full-disk');
  sourceDataDir = path.join(work, 'source');
  await runCli(['seed', '--data-dir', sourceDataDir, '--months', '1', '--configured', '--seed', '7']);
  const otherDataDir = path.join(work, 'other');
  await runCli(['seed', '--data-dir', otherDataDir, '--months', '2', '--configured', '--seed', '8']);
  await runCli(['backup', 'create', '--data-dir', otherDataDir, '--output', path.join(work, 'other.tar.gz')]);
  otherArchive = path.join(work, 'other.tar.gz');
  fs.rmSync(otherDataDir, { recursive: true });
});

afterAll(() => {
  unmountAll();
  fs.rmSync(work, { recursive: true, force: true });
});

function workFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.startsWith('.evidence-locker-'));
}

describe('a disk too small from the start', () => {
  it('refuses a backup, naming the directory, the need and the free space', async () => {
    const backupDir = mountTmpfs(path.join(work, 'tiny-backups'), '1m');
    const result = await runCli(['backup', 'create', '--data-dir', sourceDataDir, '--backup-dir', backupDir], { allowFailure: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`Not enough free space for the backup in ${backupDir}: it needs about \\d+ MB, [01] MB are free`),
    );
    expect(fs.readdirSync(backupDir)).toEqual([]);
    expect(workFiles(sourceDataDir)).toEqual([]);
  });

  it('refuses a restore before reading the archive, and the data dir stays as it was', async () => {
    const disk = mountTmpfs(path.join(work, 'small-data'), '64m');
    const dataDir = path.join(disk, 'data');
    fs.cpSync(sourceDataDir, dataDir, { recursive: true });
    const before = dataDirDigest(dataDir);
    const result = await runCli(['backup', 'restore', otherArchive, '--data-dir', dataDir, '--backup-dir', path.join(work, 'backups-a')], {
      allowFailure: true,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Not enough free space for the restore in .+: it needs about \d+ MB, \d+ MB are free/);
    expect(dataDirDigest(dataDir)).toEqual(before);
    expect(workFiles(dataDir)).toEqual([]);
  });
});

/**
 * Runs `locker <args>` (built from the data and backup dirs) on a fresh tmpfs of `size` holding a
 * copy of the source instance, fills the disk the moment an entry named `workPrefix…` appears in the
 * data dir, and checks the run ended in a clear error with the data dir as it was and nothing left.
 */
async function fillDuringRun(label: string, size: string, workPrefix: string, args: (dataDir: string, backupDir: string) => string[]) {
  const disk = mountTmpfs(path.join(work, label), size);
  const dataDir = path.join(disk, 'data');
  fs.cpSync(sourceDataDir, dataDir, { recursive: true });
  const backupDir = path.join(disk, 'backups');
  const before = dataDirDigest(dataDir);
  const run = startCli(args(dataDir, backupDir));
  await waitForEntry(dataDir, (name) => name.startsWith(workPrefix), run.done);
  const filler = fillDisk(disk);
  const result = await run.done;
  fs.rmSync(filler);
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/disk|space/i);
  expect(dataDirDigest(dataDir)).toEqual(before);
  expect(workFiles(dataDir)).toEqual([]);
  expect(fs.existsSync(backupDir) ? fs.readdirSync(backupDir) : []).toEqual([]);
  return { dataDir, backupDir };
}

describe('a disk that fills up while the operation runs', () => {
  it('ends a backup with a clear error and leaves nothing behind', async () => {
    await fillDuringRun('filling-backup', '160m', '.evidence-locker-work-', (dataDir, backupDir) => [
      'backup',
      'create',
      '--data-dir',
      dataDir,
      '--backup-dir',
      backupDir,
    ]);
  });

  it('ends a restore with a clear error, the live data as it was and nothing staged left', async () => {
    const restore = (dataDir: string, backupDir: string) => [
      'backup',
      'restore',
      otherArchive,
      '--data-dir',
      dataDir,
      '--backup-dir',
      backupDir,
    ];
    const { dataDir, backupDir } = await fillDuringRun('filling-restore', '320m', '.evidence-locker-restore-', restore);
    // And with the space back, the same restore succeeds.
    const retry = await runCli(restore(dataDir, backupDir));
    expect(retry.code).toBe(0);
    expect(fs.readdirSync(backupDir).some((name) => /^docsight_backup_.*\.tar\.gz$/.test(name))).toBe(true);
  });
});
