/**
 * Backup names read in fixed time zones: a name is wall-clock time in the server's zone, and times
 * a daylight-saving change skips or repeats still date the backup (see parseBackupFileTime).
 * Node applies a change of process.env.TZ to the Dates made after it, as format-local-iso.test.ts
 * relies on; each test sets its zone and the original is put back after it.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isBackupFileName, parseBackupFileTime } from './is-backup-file-name.ts';
import { listBackups } from './list-backups.ts';

const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

const name = (stamp: string, tail = '.tar.gz') => `docsight_backup_${stamp}${tail}`;
const iso = (stamp: string): string | undefined => parseBackupFileTime(name(stamp))?.toISOString();

describe('parseBackupFileTime in a fixed time zone', () => {
  it('Europe/Berlin: a time in the skipped hour (2024-03-31 02:00–03:00) reads as the moment just after the change', () => {
    process.env.TZ = 'Europe/Berlin';
    expect(iso('2024-03-31_015959')).toBe('2024-03-31T00:59:59.000Z');
    expect(iso('2024-03-31_020000')).toBe('2024-03-31T01:00:00.000Z');
    expect(iso('2024-03-31_023000')).toBe('2024-03-31T01:30:00.000Z');
    expect(iso('2024-03-31_030000')).toBe('2024-03-31T01:00:00.000Z');
    expect(parseBackupFileTime(name('2024-03-31_020000', '.tar.gz.age'))?.toISOString()).toBe('2024-03-31T01:00:00.000Z');
  });

  it('Europe/Berlin: a repeated time (2024-10-27 02:00–03:00) reads as the first of the two', () => {
    process.env.TZ = 'Europe/Berlin';
    expect(iso('2024-10-27_023000')).toBe('2024-10-27T00:30:00.000Z');
    expect(iso('2024-10-27_030000')).toBe('2024-10-27T02:00:00.000Z');
  });

  it('America/New_York: the skipped 02:30 of 2024-03-10 reads as 03:30 EDT; a winter name as EST', () => {
    process.env.TZ = 'America/New_York';
    expect(iso('2024-03-10_023000')).toBe('2024-03-10T07:30:00.000Z');
    expect(iso('2024-01-15_120000')).toBe('2024-01-15T17:00:00.000Z');
  });

  it('UTC: the same names are plain UTC times', () => {
    process.env.TZ = 'UTC';
    expect(iso('2024-03-31_020000')).toBe('2024-03-31T02:00:00.000Z');
    expect(iso('2024-03-10_023000')).toBe('2024-03-10T02:30:00.000Z');
  });

  it.each(['Europe/Berlin', 'America/New_York', 'UTC'])('%s: impossible calendar times stay null, real ones read', (zone) => {
    process.env.TZ = zone;
    for (const impossible of [
      '2026-02-30_070713',
      '2023-02-29_120000',
      '2026-04-31_120000',
      '2026-13-01_120000',
      '2026-00-10_120000',
      '2026-11-00_120000',
      '2026-11-26_240000',
      '2026-11-26_126000',
      '2026-11-26_120060',
      '0099-01-01_120000',
    ]) {
      expect(isBackupFileName(name(impossible))).toBe(true);
      expect(parseBackupFileTime(name(impossible)), impossible).toBeNull();
    }
    expect(parseBackupFileTime(name('2024-02-29_235959'))).toEqual(new Date(2024, 1, 29, 23, 59, 59));
    expect(parseBackupFileTime(name('2026-12-31_000000_10'))).toEqual(new Date(2026, 11, 31, 0, 0, 0));
  });
});

describe('listBackups in a fixed time zone', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('Europe/Berlin: a directory copied without its times across both changes lists by the names', async () => {
    process.env.TZ = 'Europe/Berlin';
    dir = mkdtempSync(join(tmpdir(), 'el-list-tz-'));
    const names = [
      name('2024-03-31_015959'),
      name('2024-03-31_020000'),
      name('2024-03-31_033000'),
      name('2024-10-27_020000'),
      name('2024-10-27_023000'),
      name('2024-10-27_030000'),
      name('2024-10-27_030000_9'),
      name('2024-10-27_030000_10'),
    ];
    // Copied oldest last: by mtime the order would be reversed.
    const copiedAt = Date.now() - 60_000;
    names.forEach((fileName, index) => {
      const path = join(dir!, fileName);
      writeFileSync(path, 'x');
      utimesSync(path, new Date(copiedAt - index * 1000), new Date(copiedAt - index * 1000));
    });
    const listed = await listBackups(dir, { readMeta: false });
    expect(listed.map((backup) => backup.fileName)).toEqual([
      name('2024-10-27_030000_10'),
      name('2024-10-27_030000_9'),
      name('2024-10-27_030000'),
      name('2024-10-27_023000'),
      name('2024-10-27_020000'),
      name('2024-03-31_033000'),
      name('2024-03-31_020000'),
      name('2024-03-31_015959'),
    ]);
  });
});
