import { describe, expect, it } from 'vitest';
import { backupMadeAt, backupMadeNoLaterThan, compareBackupsNewestFirst } from './backup-made-at.ts';
import { parseBackupFileTime } from './is-backup-file-name.ts';

const name = (stamp: string, tail = '.tar.gz') => `docsight_backup_${stamp}${tail}`;
const SAME = new Date('2026-11-26T06:07:01Z');
const order = (names: string[], madeAt: (name: string) => Date = () => SAME): string[] =>
  names
    .map((fileName) => ({ name: fileName, madeAt: madeAt(fileName) }))
    .sort(compareBackupsNewestFirst)
    .map((backup) => backup.name);

describe('compareBackupsNewestFirst', () => {
  it('orders same-second names by their collision suffix as a number: _10 before _9 before _2 before none', () => {
    const names = [
      name('2026-11-26_070001'),
      name('2026-11-26_070001_2'),
      name('2026-11-26_070001_10'),
      name('2026-11-26_070001_9'),
      name('2026-11-26_070001_100'),
    ];
    expect(order(names)).toEqual([
      name('2026-11-26_070001_100'),
      name('2026-11-26_070001_10'),
      name('2026-11-26_070001_9'),
      name('2026-11-26_070001_2'),
      name('2026-11-26_070001'),
    ]);
    // The order does not depend on the order the names came in.
    expect(order([...names].reverse())).toEqual(order(names));
  });

  it('puts the sealed copy before the plain one of the same second and suffix, whichever comes first', () => {
    const plain = name('2026-11-26_070001_2');
    const sealed = name('2026-11-26_070001_2', '.tar.gz.age');
    const older = name('2026-11-26_070001', '.tar.gz.age');
    expect(order([plain, sealed, older])).toEqual([sealed, plain, older]);
    expect(order([older, sealed, plain])).toEqual([sealed, plain, older]);
    // The suffix decides before the sealing: a plain _10 is newer than a sealed _9.
    expect(order([name('2026-11-26_070001_9', '.tar.gz.age'), name('2026-11-26_070001_10')])).toEqual([
      name('2026-11-26_070001_10'),
      name('2026-11-26_070001_9', '.tar.gz.age'),
    ]);
  });

  it('orders by time first, the names only among equal times; no valid time sorts last', () => {
    const times: Record<string, Date> = {
      [name('2026-11-26_070001_10')]: new Date('2026-11-26T06:07:01Z'),
      [name('2026-11-26_070002')]: new Date('2026-11-26T06:07:02Z'),
      [name('2026-02-30_070000')]: new Date(Number.NaN),
    };
    expect(order(Object.keys(times), (fileName) => times[fileName]!)).toEqual([
      name('2026-11-26_070002'),
      name('2026-11-26_070001_10'),
      name('2026-02-30_070000'),
    ]);
  });

  it('two names without a real time and the same mtime: the stem sorting last first, then the suffix', () => {
    expect(order([name('2026-02-30_070000_10'), name('2026-02-31_070000'), name('2026-02-30_070000_9')])).toEqual([
      name('2026-02-31_070000'),
      name('2026-02-30_070000_10'),
      name('2026-02-30_070000_9'),
    ]);
  });

  it('compares names that are no backup file names as text, the last first', () => {
    expect(order(['b', 'a', 'c'])).toEqual(['c', 'b', 'a']);
  });
});

describe('backupMadeNoLaterThan', () => {
  const file = name('2026-11-20_030000');
  const named = parseBackupFileTime(file)!;

  it('is the name’s time for a directory copied without its times (every file modified now)', () => {
    const copiedNow = new Date(named.getTime() + 6 * 86_400_000);
    expect(backupMadeNoLaterThan(file, copiedNow)).toEqual(named);
    expect(backupMadeNoLaterThan(file, copiedNow.toISOString())).toEqual(named);
    // Which backup is newest is still dated by the name alone.
    expect(backupMadeAt(file, copiedNow)).toEqual(named);
  });

  it('is the mtime when the name reads later than the file was written (a name from another time zone)', () => {
    const written = new Date(named.getTime() - 3 * 3_600_000);
    expect(backupMadeNoLaterThan(file, written.getTime())).toEqual(written);
    expect(backupMadeAt(file, written)).toEqual(named);
  });

  it('is the name’s time without an mtime, the mtime without a real time in the name, else no time', () => {
    expect(backupMadeNoLaterThan(file, null)).toEqual(named);
    expect(backupMadeNoLaterThan(file, 'not a time')).toEqual(named);
    const mtime = new Date('2020-01-01T00:00:00Z');
    expect(backupMadeNoLaterThan(name('2026-02-30_070000'), mtime)).toEqual(mtime);
    expect(backupMadeNoLaterThan('backup.tar.gz', mtime.toISOString())).toEqual(mtime);
    expect(backupMadeNoLaterThan('backup.tar.gz', null).getTime()).toBeNaN();
  });
});
