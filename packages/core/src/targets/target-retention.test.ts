import { describe, expect, it } from 'vitest';
import { backupFileName } from '../archive/format/backup-file-name.ts';
import { parseBackupFileTime } from '../backup-dir/is-backup-file-name.ts';
import { isLockerError } from '../errors.ts';
import type { TargetEntry } from './backup-target.ts';
import type { TargetRetention } from './target-config.ts';
import { planTargetRetention, targetRetention } from './target-retention.ts';

const DAY = 24 * 60 * 60 * 1000;
const mine = (): boolean => true;

/** A copy made at `date` (named in local time, as backups are), uploaded a minute later. */
function copy(date: Date, suffix = ''): TargetEntry {
  return {
    name: backupFileName(date).replace('.tar.gz', `.tar.gz${suffix}`),
    size: 1000,
    modified: new Date(date.getTime() + 60_000).toISOString(),
  };
}

/** One copy a day at 03:00 local time for `days` days ending on `last`. */
function daily(last: Date, days: number): TargetEntry[] {
  return Array.from({ length: days }, (_, index) => copy(new Date(last.getFullYear(), last.getMonth(), last.getDate() - index, 3, 0, 0)));
}

describe('targetRetention', () => {
  const now = new Date(2026, 2, 31, 12, 0, 0);
  const sixty = daily(now, 60);
  const names = sixty.map((entry) => entry.name);

  const rules: [string, TargetRetention, number][] = [
    ['keepLast 7 keeps the newest 7', { keepLast: 7 }, 7],
    ['keepLast 1 keeps the newest', { keepLast: 1 }, 1],
    ['keepLast over the count keeps all', { keepLast: 1000 }, 60],
    ['keepDays 30 keeps the copies of the last 30 days', { keepDays: 30 }, 30],
    ['keepDays 1 keeps the copies of the last 24 hours', { keepDays: 1 }, 1],
    ['keepLast 10 or keepDays 3: the larger wins', { keepLast: 10, keepDays: 3 }, 10],
    ['keepLast 2 or keepDays 14: the larger wins', { keepLast: 2, keepDays: 14 }, 14],
    ['keepDays 3650 keeps all', { keepDays: 3650 }, 60],
    ['no rule keeps all', {}, 60],
  ];

  it.each(rules)('%s', (_label, rule, kept) => {
    const deleted = targetRetention(sixty, rule, now, mine);
    expect(deleted).toEqual(names.slice(kept));
  });

  it('never deletes the newest copy, however old', () => {
    const old = daily(new Date(2020, 0, 10), 5);
    expect(targetRetention(old, { keepDays: 1 }, now, mine)).toEqual(old.slice(1).map((entry) => entry.name));
    expect(targetRetention(old.slice(0, 1), { keepDays: 1 }, now, mine)).toEqual([]);
  });

  it('keeps a copy exactly keepDays × 24 hours old, and deletes one a millisecond older', () => {
    const newest = copy(new Date(2026, 2, 31, 11, 0, 0));
    const edge = copy(new Date(2026, 2, 24, 12, 0, 0));
    const at = new Date(new Date(2026, 2, 24, 12, 0, 0).getTime() + 7 * DAY);
    expect(targetRetention([newest, edge], { keepDays: 7 }, at, mine)).toEqual([]);
    expect(targetRetention([newest, edge], { keepDays: 7 }, new Date(at.getTime() + 1000), mine)).toEqual([edge.name]);
  });

  it("touches only this instance's backups: another instance's copies are neither deleted nor counted", () => {
    const others = new Set(names.filter((_, index) => index % 2 === 0));
    const own = (name: string): boolean => !others.has(name);
    const deleted = targetRetention(sixty, { keepLast: 5 }, now, own);
    const ownNames = names.filter(own);
    expect(deleted).toEqual(ownNames.slice(5));
    expect(deleted.some((name) => others.has(name))).toBe(false);
  });

  it('keeps the newest own copy even when a newer copy is not this instance’s', () => {
    const [foreign, ...rest] = daily(new Date(2025, 0, 31), 4);
    const own = (name: string): boolean => name !== foreign!.name;
    expect(targetRetention([foreign!, ...rest], { keepDays: 1 }, now, own)).toEqual(rest.slice(1).map((entry) => entry.name));
  });

  it('never deletes what is not a backup file name (probe files, other files)', () => {
    const entries: TargetEntry[] = [
      ...daily(new Date(2025, 5, 1), 3),
      { name: '.evidence-locker-upload-probe-abc', size: 1024, modified: '2020-01-01T00:00:00Z' },
      { name: 'notes.txt', size: 10, modified: '2020-01-01T00:00:00Z' },
      { name: 'docsight_backup_2020-01-01_000000.tar.gz.part', size: 10, modified: '2020-01-01T00:00:00Z' },
    ];
    expect(targetRetention(entries, { keepLast: 1 }, now, mine)).toEqual(entries.slice(1, 3).map((entry) => entry.name));
  });

  it('orders sealed copies and same-second copies with the others', () => {
    const t = new Date(2026, 1, 28, 23, 59, 59);
    const entries = [
      copy(t, '.age'),
      { ...copy(t), name: backupFileName(t).replace('.tar.gz', '_1.tar.gz') },
      copy(new Date(2026, 1, 27, 1, 0, 0), '.age'),
    ];
    expect(targetRetention(entries, { keepLast: 2 }, now, mine)).toEqual([entries[2]!.name]);
  });

  it('reads the time from the name, not from when the copy was uploaded', () => {
    // Made 40 days ago, uploaded yesterday after the target was down for weeks.
    const late = { ...copy(new Date(2026, 1, 19, 3, 0, 0)), modified: new Date(now.getTime() - DAY).toISOString() };
    const newest = copy(new Date(2026, 2, 31, 3, 0, 0));
    expect(targetRetention([newest, late], { keepDays: 30 }, now, mine)).toEqual([late.name]);
  });

  it('falls back to the modification time for a name whose date is not real, and keeps a copy with no time at all', () => {
    const newest = copy(new Date(2026, 2, 31, 3, 0, 0));
    const impossibleOld = { name: 'docsight_backup_2026-02-30_030000.tar.gz', size: 1, modified: '2025-01-01T00:00:00Z' };
    const impossibleUndated = { name: 'docsight_backup_2026-02-31_030000.tar.gz', size: 1, modified: null };
    expect(targetRetention([newest, impossibleOld, impossibleUndated], { keepDays: 30 }, now, mine)).toEqual([impossibleOld.name]);
  });

  it('keeps a copy dated in the future (clock skew) without counting it against keepLast', () => {
    const future = copy(new Date(2026, 3, 2, 3, 0, 0));
    const entries = [future, ...daily(now, 3)];
    expect(targetRetention(entries, { keepLast: 2 }, now, mine)).toEqual(entries.slice(3).map((entry) => entry.name));
  });

  it('keeps generations: the newest copy of each of the last 7 days, 3 ISO weeks and 2 months', () => {
    // sixty: one copy a day at 03:00 local time, 31 March 2026 (a Tuesday) back to 31 January.
    const kept = new Set(names.filter((name) => !targetRetention(sixty, { daily: 7, weekly: 3, monthly: 2 }, now, mine).includes(name)));
    const day = (month: number, date: number): string => copy(new Date(2026, month - 1, date, 3, 0, 0)).name;
    expect(kept).toEqual(new Set([...[31, 30, 29, 28, 27, 26, 25].map((date) => day(3, date)), day(3, 22), day(2, 28)]));
  });

  it('plans what it would delete, with when each copy was made and how many own copies stay', () => {
    const plan = planTargetRetention(sixty, { keepLast: 58 }, now, mine);
    expect(plan).toEqual({
      deleted: [
        { name: names[58], madeAt: new Date(2026, 1, 1, 3, 0, 0) },
        { name: names[59], madeAt: new Date(2026, 0, 31, 3, 0, 0) },
      ],
      kept: 58,
    });
  });

  // Many moments across a leap year, month ends and DST changes: the result always matches the rule.
  const moments = Array.from({ length: 48 }, (_, index) => new Date(2027, 11, 20 + index * 9, (index * 7) % 24, (index * 13) % 60, 0));
  const start = new Date(2027, 11, 1, 2, 0, 0).getTime();
  const history = Array.from({ length: 400 }, (_, index) => copy(new Date(start + index * 1.1 * DAY)));
  it.each(moments.map((moment) => [moment.toISOString(), moment] as const))('keeps what the rule keeps at %s', (_label, moment) => {
    const visible = history.filter((entry) => Date.parse(entry.modified!) <= moment.getTime());
    for (const rule of [
      { keepLast: 5 },
      { keepDays: 14 },
      { keepLast: 3, keepDays: 45 },
      { keepLast: 60, keepDays: 2 },
    ] as TargetRetention[]) {
      const deleted = new Set(targetRetention(visible, rule, moment, mine));
      const made = (entry: TargetEntry): number => parseBackupFileTime(entry.name)!.getTime();
      const newestFirst = [...visible].sort((a, b) => made(b) - made(a));
      expect(newestFirst.length).toBeGreaterThan(0);
      newestFirst.forEach((entry, index) => {
        const age = moment.getTime() - made(entry);
        const keep = index === 0 || index < (rule.keepLast ?? 0) || (rule.keepDays !== undefined && age <= rule.keepDays * DAY);
        expect(deleted.has(entry.name)).toBe(!keep);
      });
    }
  });

  it.each([
    [{ keepLast: 0 }, /keepLast must be at least 1/],
    [{ keepDays: 3651 }, /keepDays must be at most 3650/],
    [{ keepLast: 2.5 }, /whole number/],
    [{ keep: 3 } as TargetRetention, /only keepLast, keepDays, daily, weekly, monthly, includeManual and includePreRestore/],
  ])('refuses the rule %j with INVALID_ARGUMENT', (rule, message) => {
    let caught: unknown;
    try {
      targetRetention(sixty, rule, now, mine);
    } catch (error) {
      caught = error;
    }
    expect(isLockerError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });

  it('keeps copies of manual backups out of the rule unless includeManual, and pre-restore copies unless includePreRestore', () => {
    // Newest first: 0 scheduled, 1 manual, 2 pre-restore, 3 manual, 4 scheduled, 5 unknown (counted), 6 scheduled.
    const seven = sixty.slice(0, 7);
    const triggers = ['scheduled', 'manual', 'pre-restore', 'manual', 'scheduled', null, 'scheduled'] as const;
    const triggerOf = (name: string) => triggers[seven.findIndex((entry) => entry.name === name)] ?? null;
    const at = (index: number) => seven[index]!.name;
    expect(targetRetention(seven, { keepLast: 2 }, now, mine, { triggerOf })).toEqual([at(5), at(6)]);
    expect(targetRetention(seven, { keepLast: 2, includeManual: true }, now, mine, { triggerOf })).toEqual([at(3), at(4), at(5), at(6)]);
    // The pre-restore copy counts (it is the second newest counted) and pushes out the rest.
    expect(targetRetention(seven, { keepLast: 2, includePreRestore: true }, now, mine, { triggerOf })).toEqual([at(4), at(5), at(6)]);
    expect(targetRetention(seven, { keepLast: 1, includeManual: true, includePreRestore: true }, now, mine, { triggerOf })).toEqual(
      seven.slice(1).map((entry) => entry.name),
    );
    // Included, a pre-restore copy that is the newest still stays: the newest copy is never deleted.
    const restoreFirst = (name: string) => (name === at(0) ? 'pre-restore' : 'scheduled');
    expect(targetRetention(seven, { keepLast: 1, includePreRestore: true }, now, mine, { triggerOf: restoreFirst })).toEqual(
      seven.slice(1).map((entry) => entry.name),
    );
    // Without the record of triggers every own copy counts, the pre-restore one too.
    expect(targetRetention(seven, { keepLast: 2 }, now, mine)).toEqual(seven.slice(2).map((entry) => entry.name));
  });

  it('refuses an invalid now', () => {
    expect(() => targetRetention(sixty, { keepLast: 1 }, new Date(Number.NaN), mine)).toThrow(/not a valid date/);
  });
});
