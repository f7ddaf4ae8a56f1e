import { afterEach, describe, expect, it } from 'vitest';
import { i18n, setLocale } from '../../i18n/i18n.ts';
import { retentionSummary } from './retention-summary.ts';

const t: Parameters<typeof retentionSummary>[1] = (key, named, plural) => i18n.global.t(key, named, plural);
afterEach(() => setLocale('en'));

describe('retentionSummary', () => {
  it('names every part of the backup directory rule, and whether manual and pre-restore backups count', () => {
    setLocale('en');
    expect(retentionSummary({ keepLast: 5 }, t, 'backups')).toBe(
      'Keeps the newest 5 backups. Backups made by hand are kept and not counted. Backups taken before a restore are kept and not counted.',
    );
    expect(
      retentionSummary(
        { keepLast: 1, keepDays: 30, daily: 7, weekly: 4, monthly: 12, includeManual: true, includePreRestore: true },
        t,
        'backups',
      ),
    ).toBe(
      'Keeps the newest backup. Keeps every backup of the last 30 days. Keeps the newest backup of each of the last 7 days. ' +
        'Keeps the newest backup of each of the last 4 weeks. Keeps the newest backup of each of the last 12 months. ' +
        'Backups made by hand count too. Backups taken before a restore count too.',
    );
  });

  it('speaks of copies at a target, and a rule with no count keeps everything', () => {
    setLocale('en');
    expect(retentionSummary({ keepDays: 1, includePreRestore: true }, t, 'copies')).toBe(
      'Keeps copies made in the last day. Copies of backups made by hand are kept and not counted. Copies of backups taken before a restore count too.',
    );
    expect(retentionSummary({ includeManual: true }, t, 'copies')).toBe('Keeps every copy.');
    expect(retentionSummary({}, t, 'backups')).toBe('Keeps every backup.');
  });

  it('says it in German', () => {
    setLocale('de');
    expect(retentionSummary({ keepLast: 3, weekly: 2, includeManual: true }, t, 'backups')).toBe(
      'Behält die neuesten 3 Sicherungen. Behält die neueste Sicherung jeder der letzten 2 Wochen. ' +
        'Von Hand erstellte Sicherungen zählen mit. Sicherungen vor einer Wiederherstellung bleiben und zählen nicht mit.',
    );
    expect(retentionSummary({ monthly: 1, includePreRestore: true }, t, 'copies')).toBe(
      'Behält die neueste Kopie des letzten Monats. Kopien von Hand erstellter Sicherungen bleiben und zählen nicht mit. ' +
        'Kopien von Sicherungen vor einer Wiederherstellung zählen mit.',
    );
  });
});
