import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { injectFsFault } from '@evidence-locker/core/testing/inject-fs-fault';
import { LockerError } from '../errors.ts';
import { BackupListEntrySchema } from './backup-list-entry.ts';
import { listBackups } from './list-backups.ts';
import { writeTestArchive } from '@evidence-locker/core/testing/write-test-archive';

// Running as root makes real EACCES impossible, so readdir failures are injected.
vi.mock('node:fs/promises', async (importOriginal) =>
  (await import('@evidence-locker/core/testing/inject-fs-fault')).fsPromisesWithFaults(importOriginal),
);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'el-list-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const name = (stamp: string) => `docsight_backup_${stamp}.tar.gz`;
function writeFileAt(fileName: string, mtimeMs: number, content = 'x'): string {
  const path = join(dir, fileName);
  writeFileSync(path, content);
  utimesSync(path, new Date(mtimeMs), new Date(mtimeMs));
  return path;
}

describe('TestListAndCleanup (DOCSight reference): listing', () => {
  it('test_list_empty: an empty directory gives []', async () => {
    expect(await listBackups(dir)).toEqual([]);
  });

  it('test_list_nonexistent_dir: a directory that does not exist gives []', async () => {
    expect(await listBackups('/nonexistent/path')).toEqual([]);
    expect(await listBackups(join(dir, 'not-yet'))).toEqual([]);
  });

  it('test_list_returns_sorted, on purpose unlike DOCSight: newest first by the time in the name, not the mtime', async () => {
    const base = Date.now() - 60_000;
    // DOCSight's page orders these by mtime (070001 first); a directory copied without its times
    // looks exactly like this, and retention dates by the name, so the listing does too.
    writeFileAt(name('2026-11-26_070003'), base);
    writeFileAt(name('2026-11-26_070002'), base + 10);
    writeFileAt(name('2026-11-26_070001'), base + 20);
    const listed = await listBackups(dir);
    expect(listed.map((backup) => backup.fileName)).toEqual([
      name('2026-11-26_070003'),
      name('2026-11-26_070002'),
      name('2026-11-26_070001'),
    ]);
  });

  it('test_list_ignores_non_backup_files: random.txt is not listed', async () => {
    writeFileSync(join(dir, 'random.txt'), 'hello');
    writeFileAt(name('2026-11-26_070001'), Date.now());
    expect((await listBackups(dir)).map((backup) => backup.fileName)).toEqual([name('2026-11-26_070001')]);
  });
});

describe('listBackups', () => {
  it('orders a directory copied without times as retention dates it: the name, same second by suffix, no real time by mtime', async () => {
    const copiedAt = Date.now() - 1000;
    // Every file got the time of the copy; the oldest backup was written last.
    writeFileAt(name('2024-03-31_020000'), copiedAt + 30);
    writeFileAt(name('2026-11-26_070001'), copiedAt);
    writeFileAt(name('2026-11-26_070001_2'), copiedAt);
    writeFileAt(name('2025-10-26_023000'), copiedAt + 20);
    // February 30th is no real time: dated by its mtime, long ago.
    writeFileAt(name('2026-02-30_070000'), Date.parse('2020-01-01T00:00:00Z'));
    const listed = await listBackups(dir, { readMeta: false });
    expect(listed.map((backup) => backup.fileName)).toEqual([
      name('2026-11-26_070001_2'),
      name('2026-11-26_070001'),
      name('2025-10-26_023000'),
      name('2024-03-31_020000'),
      name('2026-02-30_070000'),
    ]);
  });

  it('ignores symlinks, directories and look-alike names', async () => {
    const real = writeFileAt(name('2026-11-26_070001'), Date.now());
    symlinkSync(real, join(dir, name('2026-11-26_070002')));
    symlinkSync('/etc/passwd', join(dir, name('2026-11-26_070003')));
    mkdirSync(join(dir, name('2026-11-26_070004')));
    for (const lookAlike of [
      '.docsight_backup_2026-11-26_070005.tar.gz.02x7awai.tmp',
      'docsight_backup_2026-11-26_070006.tar.gz.bak',
      'docsight_backup_2026-11-26_0700.tar.gz',
      'docsight_backup_latest.tar.gz',
      'Docsight_backup_2026-11-26_070007.tar.gz',
    ]) {
      writeFileSync(join(dir, lookAlike), 'x');
    }
    expect((await listBackups(dir)).map((backup) => backup.fileName)).toEqual([name('2026-11-26_070001')]);
  });

  it('lists a same-second backup with a collision suffix before the first, when mtimes tie', async () => {
    const mtime = Date.now() - 1000;
    writeFileAt(name('2026-11-26_070001'), mtime);
    writeFileAt(name('2026-11-26_070001_2'), mtime);
    expect((await listBackups(dir)).map((backup) => backup.fileName)).toEqual([name('2026-11-26_070001_2'), name('2026-11-26_070001')]);
  });

  it('gives the absolute path, the size and an ISO time with the local offset', async () => {
    const originalTz = process.env.TZ;
    process.env.TZ = 'Europe/Berlin';
    try {
      writeFileAt(name('2026-11-26_080713'), Date.parse('2026-11-26T07:07:13.713Z'), 'twelve bytes');
      const [backup] = await listBackups(dir, { readMeta: false });
      expect(backup).toEqual({
        fileName: name('2026-11-26_080713'),
        path: join(dir, name('2026-11-26_080713')),
        size: 12,
        modified: '2026-11-26T08:07:13.713+01:00',
        trigger: null,
        sealed: null,
      });
      expect(BackupListEntrySchema.parse(backup)).toEqual(backup);
    } finally {
      if (originalTz === undefined) delete process.env.TZ;
      else process.env.TZ = originalTz;
    }
  });

  it('reads the trigger from each archive, and null for a file that is not an archive', async () => {
    const scheduled = join(dir, name('2026-11-26_070002'));
    await writeTestArchive(scheduled, {
      meta: { magic: 'docsight-backup', format_version: 1, trigger: 'scheduled' },
      mtime: new Date(Date.now() - 1000),
    });
    writeFileAt(name('2026-11-26_070001'), Date.now() - 2000, 'not an archive');
    const listed = await listBackups(dir);
    expect(listed.map((backup) => [backup.fileName, backup.trigger])).toEqual([
      [name('2026-11-26_070002'), 'scheduled'],
      [name('2026-11-26_070001'), null],
    ]);
  });

  it('leaves the trigger null without opening archives when readMeta is false', async () => {
    await writeTestArchive(join(dir, name('2026-11-26_070002')), {
      meta: { magic: 'docsight-backup', format_version: 1, trigger: 'manual' },
    });
    expect((await listBackups(dir, { readMeta: false }))[0]?.trigger).toBeNull();
  });

  it('throws BACKUP_DIR_UNUSABLE with the path and uid when the backup path is a file', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, '{}');
    for (const path of [file, join(file, 'backups')]) {
      const error = await listBackups(path).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LockerError);
      expect(error).toMatchObject({ code: 'BACKUP_DIR_UNUSABLE', details: { path, uid: process.getuid?.() } });
      expect((error as LockerError).message).toContain(path);
      expect((error as LockerError).message).toMatch(/runs as uid \d+/);
      expect((error as LockerError).message).toContain('chown');
    }
  });

  it('throws BACKUP_DIR_UNUSABLE when the directory cannot be read', async () => {
    injectFsFault('readdir', 'EACCES');
    await expect(listBackups(dir)).rejects.toMatchObject({ code: 'BACKUP_DIR_UNUSABLE', details: { path: dir } });
  });
});
