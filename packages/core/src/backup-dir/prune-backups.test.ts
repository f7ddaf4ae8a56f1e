import { createReadStream, createWriteStream, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { injectFsFault } from '@evidence-locker/core/testing/inject-fs-fault';
import type { BackupTrigger } from '../archive/format/backup-meta.ts';
import { backupFileName } from '../archive/format/backup-file-name.ts';
import { generateSealIdentity } from '../seal/generate-seal-identity.ts';
import { sealStream } from '../seal/seal-stream.ts';
import { planBackupDirRetention, pruneBackups } from './prune-backups.ts';
import { writeTestArchive } from '@evidence-locker/core/testing/write-test-archive';

// Root can delete anything, so an unlink failure is injected by file name.
vi.mock('node:fs/promises', async (importOriginal) =>
  (await import('@evidence-locker/core/testing/inject-fs-fault')).fsPromisesWithFaults(importOriginal),
);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'el-prune-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const base = Date.parse('2026-11-26T06:00:00Z');
/** Backup number `n` (1 = oldest), named for `n` minutes after a fixed base, as the backup job names it. */
function backupName(n: number): string {
  return backupFileName(new Date(base + n * 60_000));
}

function writePlain(n: number): void {
  const path = join(dir, backupName(n));
  writeFileSync(path, 'x');
  utimesSync(path, new Date(base + n * 60_000), new Date(base + n * 60_000));
}

async function writeArchive(n: number, trigger: BackupTrigger): Promise<void> {
  await writeTestArchive(join(dir, backupName(n)), {
    meta: { magic: 'docsight-backup', format_version: 1, trigger },
    members: [],
    mtime: new Date(base + n * 60_000),
  });
}

const remaining = () => readdirSync(dir).sort();

describe('TestListAndCleanup (DOCSight reference): cleanup', () => {
  it('test_cleanup_keeps_n: 7 backups with keep=3 delete 4 and leave the newest 3', async () => {
    for (let n = 1; n <= 7; n += 1) writePlain(n);
    const result = await pruneBackups(dir, 3);
    expect(result.deleted).toHaveLength(4);
    expect(result.deleted).toEqual([4, 3, 2, 1].map(backupName));
    expect(result.kept).toEqual([7, 6, 5].map(backupName));
    expect(result.failed).toEqual([]);
    expect(remaining()).toEqual([5, 6, 7].map(backupName));
  });

  it('test_cleanup_noop_when_few: 1 backup with keep=5 deletes nothing', async () => {
    writePlain(1);
    const result = await pruneBackups(dir, 5);
    expect(result.deleted).toEqual([]);
    expect(remaining()).toEqual([backupName(1)]);
  });
});

describe('pruneBackups', () => {
  it('never deletes the newest backup: keep=1 leaves exactly the newest', async () => {
    for (let n = 1; n <= 4; n += 1) writePlain(n);
    const result = await pruneBackups(dir, 1);
    expect(result.kept).toEqual([backupName(4)]);
    expect(remaining()).toEqual([backupName(4)]);
  });

  it('never deletes a pre-restore backup, and does not count it against keep', async () => {
    await writeArchive(1, 'scheduled');
    await writeArchive(2, 'pre-restore');
    await writeArchive(3, 'scheduled');
    await writeArchive(4, 'manual');
    await writeArchive(5, 'pre-restore');
    await writeArchive(6, 'scheduled');
    const result = await pruneBackups(dir, 2);
    expect(result.kept).toEqual([6, 5, 4, 2].map(backupName));
    expect(result.deleted).toEqual([3, 1].map(backupName));
    expect(remaining()).toEqual([2, 4, 5, 6].map(backupName));
  });

  it('keeps a newest pre-restore backup plus keep others', async () => {
    await writeArchive(1, 'scheduled');
    await writeArchive(2, 'scheduled');
    await writeArchive(3, 'pre-restore');
    const result = await pruneBackups(dir, 1);
    expect(result.kept).toEqual([3, 2].map(backupName));
    expect(result.deleted).toEqual([backupName(1)]);
  });

  it('counts DOCSight archives without a trigger like any other backup', async () => {
    writePlain(1);
    await writeArchive(2, 'scheduled');
    writePlain(3);
    const result = await pruneBackups(dir, 2);
    expect(result.deleted).toEqual([backupName(1)]);
  });

  it('reports a file it cannot delete and still deletes the others', async () => {
    for (let n = 1; n <= 4; n += 1) writePlain(n);
    injectFsFault('unlink', 'EBUSY', (target) => basename(target) === backupName(2));
    const result = await pruneBackups(dir, 1);
    expect(result.deleted).toEqual([3, 1].map(backupName));
    expect(result.failed).toEqual([{ fileName: backupName(2), message: expect.stringContaining('EBUSY') }]);
    expect(remaining()).toEqual([2, 4].map(backupName));
  });

  it('leaves files that are not backups alone', async () => {
    writeFileSync(join(dir, 'config.json'), '{}');
    writeFileSync(join(dir, 'docsis_history.db'), 'db');
    writePlain(1);
    writePlain(2);
    await pruneBackups(dir, 1);
    expect(remaining()).toEqual(['config.json', backupName(2), 'docsis_history.db']);
  });

  it('prunes nothing in a directory that does not exist', async () => {
    expect(await pruneBackups(join(dir, 'missing'), 3)).toEqual({ deleted: [], kept: [], failed: [], keptUnread: [] });
  });

  it.each([0, 101, 2.5, Number.NaN, -1])('rejects keep=%s with INVALID_ARGUMENT before touching files', async (keep) => {
    writePlain(1);
    writePlain(2);
    await expect(pruneBackups(dir, keep)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(remaining()).toHaveLength(2);
  });

  it('accepts the bounds keep=1 and keep=100', async () => {
    writePlain(1);
    await expect(pruneBackups(dir, 1)).resolves.toMatchObject({ kept: [backupName(1)] });
    await expect(pruneBackups(dir, 100)).resolves.toMatchObject({ kept: [backupName(1)] });
  });
});

describe('pruneBackups with a retention rule', () => {
  /** A plain backup made at `iso` (its name says so), last modified at `modified` (default: then too). */
  function writeAt(iso: string, modified: string = iso): string {
    const name = backupFileName(new Date(iso));
    const path = join(dir, name);
    writeFileSync(path, 'x');
    utimesSync(path, new Date(modified), new Date(modified));
    return name;
  }

  it('daily 2 keeps the newest backup of each of the last two Berlin days and deletes the rest', async () => {
    const older = writeAt('2026-03-28T11:00:00Z');
    const dayBefore = writeAt('2026-03-28T23:30:00Z'); // 00:30 on the 29th in Berlin
    const lastOf29th = writeAt('2026-03-29T21:59:00Z'); // 23:59 CEST on the 29th
    const newest = writeAt('2026-03-29T22:30:00Z'); // 00:30 on the 30th
    const result = await pruneBackups(dir, { daily: 2 }, { now: new Date('2026-03-30T08:00:00Z'), timeZone: 'Europe/Berlin' });
    expect(result.deleted).toEqual([dayBefore, older]);
    expect(remaining()).toEqual([lastOf29th, newest].sort());
  });

  describe('dates a backup by its name, not its modification time: a directory copied with cp -r / rsync without -t', () => {
    // Every file of the copy was modified "today"; by mtime, daily/weekly/monthly would see one day
    // and delete all but the newest. Made: the time in the name; the copy happened at `copiedAt`.
    const copiedAt = '2026-06-15T10:00:00Z';
    const now = new Date('2026-06-15T12:00:00Z');
    const made = [
      '2025-12-20T03:00:00Z',
      '2026-01-10T03:00:00Z',
      '2026-02-10T03:00:00Z',
      '2026-03-10T03:00:00Z',
      '2026-04-10T03:00:00Z',
      '2026-05-10T03:00:00Z',
      '2026-06-01T03:00:00Z',
      '2026-06-08T03:00:00Z',
      '2026-06-13T03:00:00Z',
      '2026-06-14T03:00:00Z',
      '2026-06-15T03:00:00Z',
    ];
    it.each([
      { rule: { daily: 3 }, kept: ['2026-06-13T03:00:00Z', '2026-06-14T03:00:00Z', '2026-06-15T03:00:00Z'] },
      // 2026-06-15 is a Monday: the newest of ISO weeks 25, 24 (Sunday the 14th) and 23.
      { rule: { weekly: 3 }, kept: ['2026-06-01T03:00:00Z', '2026-06-14T03:00:00Z', '2026-06-15T03:00:00Z'] },
      {
        rule: { monthly: 4 },
        kept: ['2026-03-10T03:00:00Z', '2026-04-10T03:00:00Z', '2026-05-10T03:00:00Z', '2026-06-15T03:00:00Z'],
      },
      { rule: { keepDays: 8 }, kept: ['2026-06-08T03:00:00Z', '2026-06-13T03:00:00Z', '2026-06-14T03:00:00Z', '2026-06-15T03:00:00Z'] },
      { rule: { keepLast: 2 }, kept: ['2026-06-14T03:00:00Z', '2026-06-15T03:00:00Z'] },
    ])('$rule keeps what the names say', async ({ rule, kept }) => {
      for (const iso of made) writeAt(iso, copiedAt);
      const plan = await planBackupDirRetention(dir, rule, { now, timeZone: 'UTC' });
      expect(plan.kept.map(({ copy }) => copy.madeAt.toISOString()).sort()).toEqual(kept.map((iso) => new Date(iso).toISOString()));
      expect(plan.deleted).toHaveLength(made.length - kept.length);
    });
  });

  it('keeps manual backups out of the rule unless includeManual, and pre-restore ones unless includePreRestore', async () => {
    for (const [n, trigger] of [
      [1, 'scheduled'],
      [2, 'manual'],
      [3, 'pre-restore'],
      [4, 'scheduled'],
      [5, 'manual'],
      [6, 'scheduled'],
    ] as const) {
      await writeArchive(n, trigger);
    }
    const now = new Date(base + 60 * 60_000);
    expect((await pruneBackups(dir, { keepLast: 2 }, { now })).deleted).toEqual([backupName(1)]);
    expect((await pruneBackups(dir, { keepLast: 2, includeManual: true }, { now })).deleted).toEqual([backupName(4), backupName(2)]);
    expect(remaining()).toEqual([3, 5, 6].map(backupName));
    // Included, the pre-restore backup counts: the newest two counted are 6 and 5.
    expect((await pruneBackups(dir, { keepLast: 2, includeManual: true, includePreRestore: true }, { now })).deleted).toEqual([
      backupName(3),
    ]);
    expect(remaining()).toEqual([5, 6].map(backupName));
  });

  it('keeps an included pre-restore backup that is the newest: the newest backup is never deleted', async () => {
    await writeArchive(1, 'scheduled');
    await writeArchive(2, 'scheduled');
    await writeArchive(3, 'pre-restore');
    const now = new Date(base + 60 * 60_000);
    expect((await pruneBackups(dir, { keepLast: 1, includePreRestore: true }, { now })).deleted).toEqual([backupName(2), backupName(1)]);
    expect(remaining()).toEqual([3].map(backupName));
  });

  it('keeps the newest backup not known to be damaged, asking `good` about each', async () => {
    for (let n = 1; n <= 4; n += 1) writePlain(n);
    const damaged = new Set([backupName(4), backupName(3)]);
    const result = await pruneBackups(
      dir,
      { keepLast: 1 },
      { now: new Date(base + 60 * 60_000), good: (entry) => !damaged.has(entry.fileName) },
    );
    expect(result.kept).toEqual([backupName(4), backupName(2)]);
    expect(remaining()).toEqual([2, 4].map(backupName));
  });

  it('refuses a rule out of range before touching anything', async () => {
    writePlain(1);
    writePlain(2);
    await expect(pruneBackups(dir, { keepDays: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(remaining()).toEqual([1, 2].map(backupName));
  });
});

describe('sealed backups whose trigger cannot be read', () => {
  /** Backup `n` with `trigger`, sealed for `recipient` (`….tar.gz.age`); the plain one is removed. */
  async function writeSealed(n: number, trigger: BackupTrigger, recipient: string): Promise<string> {
    await writeArchive(n, trigger);
    const plain = join(dir, backupName(n));
    const sealed = `${plain}.age`;
    await pipeline(sealStream(createReadStream(plain), { recipients: [recipient] }), createWriteStream(sealed));
    rmSync(plain);
    utimesSync(sealed, new Date(base + n * 60_000), new Date(base + n * 60_000));
    return basename(sealed);
  }

  it('keeps them out of the rule with keepUnreadSealed, and reads them with the identities', async () => {
    const { identity, recipient } = await generateSealIdentity();
    const preRestore = await writeSealed(1, 'pre-restore', recipient);
    const manual = await writeSealed(2, 'manual', recipient);
    for (let n = 3; n <= 5; n += 1) await writeArchive(n, 'scheduled');
    const now = new Date(base + 60 * 60_000);
    // Without the keys: counted like scheduled ones, the pre-restore and manual backups would go.
    const counted = await planBackupDirRetention(dir, { keepLast: 2 }, { now });
    expect(counted.deleted.map((copy) => copy.name)).toEqual([backupName(3), manual, preRestore]);
    // Kept, and said so; only the plain scheduled one the rule does not keep goes.
    const kept = await pruneBackups(dir, { keepLast: 2 }, { now, keepUnreadSealed: true });
    expect(kept.deleted).toEqual([backupName(3)]);
    expect(kept.keptUnread).toEqual([manual, preRestore]);
    expect(kept.kept).toEqual([backupName(5), backupName(4), manual, preRestore]);
    // With the identity their triggers are read: the manual one stays outside, the pre-restore one too.
    await writeArchive(6, 'scheduled');
    const read = await pruneBackups(dir, { keepLast: 1 }, { now, identities: [identity], keepUnreadSealed: true });
    expect(read.deleted).toEqual([backupName(5), backupName(4)]);
    expect(read.keptUnread).toEqual([]);
    expect(remaining()).toEqual([backupName(6), manual, preRestore].sort());
  });
});

describe('planBackupDirRetention', () => {
  it('tells what a rule would delete without deleting it', async () => {
    for (let n = 1; n <= 5; n += 1) writePlain(n);
    const plan = await planBackupDirRetention(dir, { keepLast: 2 }, { now: new Date(base + 60 * 60_000) });
    expect(plan.deleted.map((copy) => copy.name)).toEqual([3, 2, 1].map(backupName));
    expect(plan.deleted[0]?.madeAt.toISOString()).toBe(new Date(base + 3 * 60_000).toISOString());
    expect(remaining()).toHaveLength(5);
  });
});
