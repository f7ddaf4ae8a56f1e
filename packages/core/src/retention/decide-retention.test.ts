import { describe, expect, it } from 'vitest';
import type { BackupTrigger } from '../archive/format/backup-meta.ts';
import { isLockerError } from '../errors.ts';
import { decideRetention, type RetentionCandidate } from './decide-retention.ts';
import type { RetentionRule } from './retention-rule.ts';

const DAY = 24 * 60 * 60 * 1000;
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

/** A copy named after its instant (UTC ISO), so the expectations read as times. */
function copy(iso: string, trigger: BackupTrigger | null = 'scheduled', good?: boolean): RetentionCandidate {
  return { name: iso, madeAt: new Date(iso), trigger, ...(good === undefined ? {} : { good }) };
}

/** One scheduled copy a day at `hourUtc`:30 UTC from `first` to `last` (UTC dates, inclusive), newest first. */
function everyDay(first: string, last: string, hourUtc = 1): RetentionCandidate[] {
  const copies: RetentionCandidate[] = [];
  for (let day = Date.parse(`${last}T00:00:00Z`); day >= Date.parse(`${first}T00:00:00Z`); day -= DAY) {
    copies.push(copy(new Date(day + hourUtc * 3_600_000 + 30 * 60_000).toISOString()));
  }
  return copies;
}

function decide(candidates: RetentionCandidate[], rule: RetentionRule, now: string, timeZone = BERLIN) {
  const decision = decideRetention(candidates, rule, { now: new Date(now), timeZone });
  return { kept: decision.kept.map((entry) => entry.copy.name), deleted: decision.deleted.map((entry) => entry.name) };
}

describe('decideRetention: keep N and keep days', () => {
  const sixty = everyDay('2026-02-01', '2026-03-31');
  const names = sixty.map((entry) => entry.name);
  const now = '2026-03-31T12:00:00Z';

  const table: [string, RetentionRule, number][] = [
    ['keepLast 7 keeps the newest 7', { keepLast: 7 }, 7],
    ['keepLast over the count keeps all', { keepLast: 1000 }, 59],
    ['keepDays 30 keeps 30 × 24 hours', { keepDays: 30 }, 30],
    ['keepLast 10 or keepDays 3: the larger wins', { keepLast: 10, keepDays: 3 }, 10],
    ['keepLast 2 or keepDays 14: the larger wins', { keepLast: 2, keepDays: 14 }, 14],
    ['a rule with no counting part keeps all', {}, 59],
    ['includeManual alone counts nothing: keeps all', { includeManual: true }, 59],
  ];
  it.each(table)('%s', (_label, rule, kept) => {
    const result = decide(sixty, rule, now);
    expect(result.kept).toEqual(names.slice(0, kept));
    expect(result.deleted).toEqual(names.slice(kept));
  });

  it('keepDays is elapsed time across the spring change: 24 hours back is kept, a second more is not', () => {
    // Berlin skipped 02:00–03:00 on 2026-03-29: the calendar day before 12:00 CEST on the 30th is 23 hours long.
    const candidates = [copy('2026-03-30T09:00:00Z'), copy('2026-03-29T10:00:00Z'), copy('2026-03-29T09:59:59Z')];
    expect(decide(candidates, { keepDays: 1 }, '2026-03-30T10:00:00Z').deleted).toEqual(['2026-03-29T09:59:59Z']);
  });

  it('returns nothing for no copies', () => {
    expect(decide([], { keepLast: 1, daily: 3 }, now)).toEqual({ kept: [], deleted: [] });
  });
});

describe('decideRetention: generations over several years', () => {
  // 2023-01-01 to 2026-03-31: 1186 daily copies at 01:30 UTC (02:30 or 03:30 in Berlin, always the same date).
  const years = everyDay('2023-01-01', '2026-03-31');
  const now = '2026-03-31T12:00:00Z';

  it('monthly 36 keeps the last day of each of the last 36 months that have a copy', () => {
    const monthEnds: string[] = [];
    for (let back = 0; back < 36; back += 1) {
      // Day 0 of the next month is the last day of this one.
      const lastDay = new Date(Date.UTC(2026, 3 - back, 0));
      monthEnds.push(`${lastDay.toISOString().slice(0, 10)}T01:30:00.000Z`);
    }
    const result = decide(years, { monthly: 36 }, now);
    expect(result.kept).toEqual(monthEnds);
    expect(monthEnds.at(-1)).toBe('2023-04-30T01:30:00.000Z');
    expect(result.deleted).toHaveLength(years.length - 36);
  });

  it('weekly 104 keeps a Sunday for each full ISO week, and the newest copy of the current week', () => {
    const result = decide(years, { weekly: 104 }, now);
    expect(result.kept).toHaveLength(104);
    // 2026-03-31 is a Tuesday: its week's newest copy is itself; every older week ends on a Sunday.
    expect(result.kept[0]).toBe('2026-03-31T01:30:00.000Z');
    expect(result.kept.slice(1).every((name) => new Date(name).getUTCDay() === 0)).toBe(true);
    expect(result.kept[1]).toBe('2026-03-29T01:30:00.000Z');
    // 102 weeks before 29 March 2026 (a leap day in between does not matter to weeks).
    expect(result.kept.at(-1)).toBe('2024-04-14T01:30:00.000Z');
  });

  it('daily 7, weekly 4, monthly 12, keepLast 3: a copy is kept when any part keeps it', () => {
    const result = decide(years, { keepLast: 3, daily: 7, weekly: 4, monthly: 12 }, now);
    const day = (date: string): string => `${date}T01:30:00.000Z`;
    expect(result.kept).toEqual([
      // daily: 25–31 March (keepLast's three are among them); weekly: the Sundays 29, 22, 15 March
      ...['2026-03-31', '2026-03-30', '2026-03-29', '2026-03-28', '2026-03-27', '2026-03-26', '2026-03-25'].map(day),
      day('2026-03-22'),
      day('2026-03-15'),
      // monthly: the last day of each earlier month back to April 2025
      ...['2026-02-28', '2026-01-31', '2025-12-31', '2025-11-30', '2025-10-31', '2025-09-30'].map(day),
      ...['2025-08-31', '2025-07-31', '2025-06-30', '2025-05-31', '2025-04-30'].map(day),
    ]);
  });

  it('counts only periods that have a copy: a gap of months does not use up the monthly slots', () => {
    const sparse = [copy('2026-03-10T10:00:00Z'), copy('2025-11-02T10:00:00Z'), copy('2025-11-01T10:00:00Z'), copy('2024-07-15T10:00:00Z')];
    expect(decide(sparse, { monthly: 3 }, '2026-03-31T12:00:00Z')).toEqual({
      kept: ['2026-03-10T10:00:00Z', '2025-11-02T10:00:00Z', '2024-07-15T10:00:00Z'],
      deleted: ['2025-11-01T10:00:00Z'],
    });
  });

  it('ISO weeks across a year end: 2025-12-29 (a Monday) is in week 1 of 2026', () => {
    const candidates = [
      copy('2026-01-05T10:00:00Z'), // Mon, 2026-W02
      copy('2026-01-04T10:00:00Z'), // Sun, 2026-W01
      copy('2026-01-01T10:00:00Z'), // Thu, 2026-W01
      copy('2025-12-29T10:00:00Z'), // Mon, 2026-W01
      copy('2025-12-28T10:00:00Z'), // Sun, 2025-W52
    ];
    expect(decide(candidates, { weekly: 3 }, '2026-01-06T00:00:00Z')).toEqual({
      kept: ['2026-01-05T10:00:00Z', '2026-01-04T10:00:00Z', '2025-12-28T10:00:00Z'],
      deleted: ['2026-01-01T10:00:00Z', '2025-12-29T10:00:00Z'],
    });
  });

  it('ISO weeks in a 53-week year: 2021-01-03 is in 2020-W53, apart from 2020-W52', () => {
    const candidates = [
      copy('2021-01-04T10:00:00Z'),
      copy('2021-01-03T10:00:00Z'),
      copy('2020-12-28T10:00:00Z'),
      copy('2020-12-27T10:00:00Z'),
    ];
    expect(decide(candidates, { weekly: 3 }, '2021-01-05T00:00:00Z')).toEqual({
      kept: ['2021-01-04T10:00:00Z', '2021-01-03T10:00:00Z', '2020-12-27T10:00:00Z'],
      deleted: ['2020-12-28T10:00:00Z'],
    });
  });

  it('leap days: 2024-02-29 is the last day of its month', () => {
    const candidates = everyDay('2024-02-27', '2024-03-02');
    expect(decide(candidates, { monthly: 2 }, '2024-03-03T00:00:00Z', BERLIN).kept).toEqual([
      '2024-03-02T01:30:00.000Z',
      '2024-02-29T01:30:00.000Z',
    ]);
  });
});

describe('decideRetention: daylight-saving changes', () => {
  it('Europe/Berlin spring forward (2026-03-29): days begin at local midnight, 23:00 UTC before and 22:00 UTC after', () => {
    const candidates = [
      copy('2026-03-29T22:30:00Z'), // 00:30 CEST on the 30th
      copy('2026-03-29T21:59:00Z'), // 23:59 CEST on the 29th
      copy('2026-03-28T23:30:00Z'), // 00:30 CET on the 29th
      copy('2026-03-28T11:00:00Z'), // 12:00 CET on the 28th
    ];
    expect(decide(candidates, { daily: 2 }, '2026-03-30T08:00:00Z')).toEqual({
      kept: ['2026-03-29T22:30:00Z', '2026-03-29T21:59:00Z'],
      deleted: ['2026-03-28T23:30:00Z', '2026-03-28T11:00:00Z'],
    });
  });

  it('Europe/Berlin fall back (2026-10-25): both 02:30s are the same day, the later one its newest', () => {
    const candidates = [
      copy('2026-10-25T01:30:00Z'), // 02:30 CET, the second 02:30
      copy('2026-10-25T00:30:00Z'), // 02:30 CEST, the first 02:30
      copy('2026-10-24T22:30:00Z'), // 00:30 CEST on the 25th
      copy('2026-10-24T21:30:00Z'), // 23:30 CEST on the 24th
    ];
    expect(decide(candidates, { daily: 2 }, '2026-10-25T12:00:00Z')).toEqual({
      kept: ['2026-10-25T01:30:00Z', '2026-10-24T21:30:00Z'],
      deleted: ['2026-10-25T00:30:00Z', '2026-10-24T22:30:00Z'],
    });
  });

  const newYorkSpring = [
    copy('2026-03-09T04:30:00Z'), // 00:30 EDT on the 9th
    copy('2026-03-09T03:30:00Z'), // 23:30 EDT on the 8th
    copy('2026-03-08T05:30:00Z'), // 00:30 EST on the 8th
    copy('2026-03-08T04:30:00Z'), // 23:30 EST on the 7th
  ];

  it('America/New_York spring forward (2026-03-08): the 23-hour day keeps its own newest copy', () => {
    expect(decide(newYorkSpring, { daily: 3 }, '2026-03-09T12:00:00Z', NEW_YORK)).toEqual({
      kept: ['2026-03-09T04:30:00Z', '2026-03-09T03:30:00Z', '2026-03-08T04:30:00Z'],
      deleted: ['2026-03-08T05:30:00Z'],
    });
  });

  it('the same copies in Europe/Berlin fall on other days: the time zone decides', () => {
    expect(decide(newYorkSpring, { daily: 3 }, '2026-03-09T12:00:00Z', BERLIN)).toEqual({
      kept: ['2026-03-09T04:30:00Z', '2026-03-08T05:30:00Z'],
      deleted: ['2026-03-09T03:30:00Z', '2026-03-08T04:30:00Z'],
    });
  });

  it('America/New_York fall back (2026-11-01): a 25-hour day is one day; months end at local midnight', () => {
    const candidates = [
      copy('2026-11-01T06:30:00Z'), // 01:30 EST, the second 01:30
      copy('2026-11-01T05:30:00Z'), // 01:30 EDT, the first 01:30
      copy('2026-11-01T03:30:00Z'), // 23:30 EDT on 31 October
      copy('2026-10-31T12:00:00Z'),
    ];
    expect(decide(candidates, { daily: 2, monthly: 2 }, '2026-11-01T12:00:00Z', NEW_YORK)).toEqual({
      kept: ['2026-11-01T06:30:00Z', '2026-11-01T03:30:00Z'],
      deleted: ['2026-11-01T05:30:00Z', '2026-10-31T12:00:00Z'],
    });
  });
});

describe('decideRetention: clock jumps', () => {
  it('a clock set back: copies from the "future" are kept and not counted; the rule applies to the rest', () => {
    const candidates = [
      copy('2026-06-03T10:00:00Z'),
      copy('2026-06-02T10:00:00Z'),
      copy('2026-06-01T10:00:00Z'),
      copy('2025-06-01T09:00:00Z'),
      copy('2025-05-31T09:00:00Z'),
      copy('2025-05-30T09:00:00Z'),
    ];
    expect(decide(candidates, { keepLast: 2 }, '2025-06-01T10:00:00Z')).toEqual({
      kept: ['2026-06-03T10:00:00Z', '2026-06-02T10:00:00Z', '2026-06-01T10:00:00Z', '2025-06-01T09:00:00Z', '2025-05-31T09:00:00Z'],
      deleted: ['2025-05-30T09:00:00Z'],
    });
  });

  it('a backup "from the future" alone is kept whatever the rule says', () => {
    const candidates = [copy('2030-01-01T00:00:00Z'), copy('2026-01-02T00:00:00Z'), copy('2026-01-01T00:00:00Z')];
    expect(decide(candidates, { keepDays: 1 }, '2026-01-02T00:00:01Z').kept).toEqual(['2030-01-01T00:00:00Z', '2026-01-02T00:00:00Z']);
  });

  it('a clock jumped years ahead: keepDays alone keeps only the newest, generations still keep one per period', () => {
    const copies = everyDay('2026-01-01', '2026-03-31');
    const later = '2036-01-01T00:00:00Z';
    expect(decide(copies, { keepDays: 30 }, later).kept).toEqual(['2026-03-31T01:30:00.000Z']);
    expect(decide(copies, { monthly: 3 }, later).kept).toEqual([
      '2026-03-31T01:30:00.000Z',
      '2026-02-28T01:30:00.000Z',
      '2026-01-31T01:30:00.000Z',
    ]);
  });

  it('a copy with no valid time is kept and sorts last', () => {
    const candidates = [{ name: 'unknown', madeAt: new Date(Number.NaN), trigger: null }, ...everyDay('2026-01-01', '2026-01-03')];
    const result = decide(candidates, { keepLast: 1 }, '2026-01-04T00:00:00Z');
    expect(result.kept).toEqual(['2026-01-03T01:30:00.000Z', 'unknown']);
    expect(result.deleted).toEqual(['2026-01-02T01:30:00.000Z', '2026-01-01T01:30:00.000Z']);
  });
});

describe('decideRetention: what is outside the rule, and what is never deleted', () => {
  const mixed = [
    copy('2026-03-06T10:00:00Z', 'scheduled'),
    copy('2026-03-05T10:00:00Z', 'manual'),
    copy('2026-03-04T10:00:00Z', 'scheduled'),
    copy('2026-03-03T10:00:00Z', 'pre-restore'),
    copy('2026-03-02T10:00:00Z', null),
    copy('2026-03-01T10:00:00Z', 'download'),
    copy('2026-02-28T10:00:00Z', 'manual'),
  ];
  const now = '2026-03-07T00:00:00Z';

  const table: [string, RetentionRule, string[]][] = [
    ['manual, download and pre-restore copies are kept and not counted', { keepLast: 2 }, ['2026-03-02T10:00:00Z']],
    [
      'includeManual: made-by-hand copies count and may go; pre-restore still stays',
      { keepLast: 2, includeManual: true },
      ['2026-03-04T10:00:00Z', '2026-03-02T10:00:00Z', '2026-03-01T10:00:00Z', '2026-02-28T10:00:00Z'],
    ],
    [
      'includePreRestore: the pre-restore copy counts and may go too',
      { keepLast: 2, includeManual: true, includePreRestore: true },
      ['2026-03-04T10:00:00Z', '2026-03-03T10:00:00Z', '2026-03-02T10:00:00Z', '2026-03-01T10:00:00Z', '2026-02-28T10:00:00Z'],
    ],
  ];
  it.each(table)('%s', (_label, rule, deleted) => {
    expect(decide(mixed, rule, now).deleted).toEqual(deleted);
  });

  it('never deletes the newest copy, even when it is made by hand and manual copies are included', () => {
    const candidates = [copy('2026-03-06T10:00:00Z', 'manual'), copy('2026-03-05T10:00:00Z'), copy('2026-01-01T10:00:00Z')];
    expect(decide(candidates, { keepDays: 1, includeManual: true }, '2026-03-10T00:00:00Z').kept).toEqual(['2026-03-06T10:00:00Z']);
  });

  it('keeps the newest good copy when the newest copies failed their verification', () => {
    const candidates = [
      copy('2026-03-06T10:00:00Z', 'scheduled', false),
      copy('2026-03-05T10:00:00Z', 'scheduled', false),
      copy('2026-03-04T10:00:00Z', 'scheduled', true),
      copy('2026-03-03T10:00:00Z', 'scheduled'),
    ];
    const decision = decideRetention(candidates, { keepLast: 1 }, { now: new Date(now), timeZone: BERLIN });
    expect(decision.kept.map((entry) => [entry.copy.name, entry.reason])).toEqual([
      ['2026-03-06T10:00:00Z', 'newest'],
      ['2026-03-04T10:00:00Z', 'newest-good'],
    ]);
    expect(decision.deleted.map((entry) => entry.name)).toEqual(['2026-03-05T10:00:00Z', '2026-03-03T10:00:00Z']);
  });

  it('same-second copies: the name sorting last is the newer', () => {
    const candidates = [
      { name: 'docsight_backup_2026-03-06_100000.tar.gz', madeAt: new Date('2026-03-06T10:00:00Z'), trigger: null },
      { name: 'docsight_backup_2026-03-06_100000_2.tar.gz', madeAt: new Date('2026-03-06T10:00:00Z'), trigger: null },
    ];
    expect(decide(candidates, { keepLast: 1 }, now).deleted).toEqual(['docsight_backup_2026-03-06_100000.tar.gz']);
  });
});

describe('decideRetention: refuses what it cannot apply', () => {
  const refusals: [string, RetentionRule, string, string, RegExp][] = [
    ['keepLast 0', { keepLast: 0 }, '2026-01-01T00:00:00Z', BERLIN, /keepLast must be at least 1/],
    ['a fractional daily', { daily: 1.5 }, '2026-01-01T00:00:00Z', BERLIN, /daily must be a whole number/],
    ['weekly over its limit', { weekly: 521 }, '2026-01-01T00:00:00Z', BERLIN, /weekly must be at most 520/],
    ['an unknown key', { keep: 3 } as RetentionRule, '2026-01-01T00:00:00Z', BERLIN, /holds only keepLast, keepDays, daily/],
    ['an invalid now', { keepLast: 1 }, 'not a date', BERLIN, /not a valid date/],
    ['an unknown time zone', { daily: 1 }, '2026-01-01T00:00:00Z', 'Mars/Olympus_Mons', /time zone "Mars\/Olympus_Mons" is not known/],
  ];
  it.each(refusals)('%s: INVALID_ARGUMENT', (_label, rule, now, timeZone, message) => {
    let caught: unknown;
    try {
      decide([copy('2025-12-31T00:00:00Z')], rule, now, timeZone);
    } catch (error) {
      caught = error;
    }
    expect(isLockerError(caught) && caught.code === 'INVALID_ARGUMENT').toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});
