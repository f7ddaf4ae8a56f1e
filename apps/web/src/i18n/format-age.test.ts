import { afterEach, describe, expect, it } from 'vitest';
import { formatAge, formatDue } from './format-age.ts';
import { setLocale } from './i18n.ts';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const HOUR = 3_600_000;

afterEach(() => setLocale('en'));

describe('formatAge', () => {
  it('says how long ago in the largest whole unit, in English and German', () => {
    expect(formatAge(new Date(NOW - 3 * HOUR), NOW)).toBe('3 hours ago');
    expect(formatAge(new Date(NOW - 26 * HOUR), NOW)).toBe('yesterday');
    expect(formatAge(new Date(NOW - 3 * 24 * HOUR), NOW)).toBe('3 days ago');
    expect(formatAge(new Date(NOW - 20 * 1000), NOW)).toBe('now');
    expect(formatAge(new Date(NOW + 5 * HOUR), NOW)).toBe('in 5 hours');
    setLocale('de');
    expect(formatAge(new Date(NOW - 3 * HOUR), NOW)).toBe('vor 3 Stunden');
    expect(formatAge(new Date(NOW - 40 * 24 * HOUR), NOW)).toBe('letzten Monat');
  });

  it('reads DOCSight UTC timestamps as UTC and gives the fallback for nothing or nonsense', () => {
    expect(formatAge('2026-11-26 09:00:00', NOW)).toBe('3 hours ago');
    expect(formatAge(null, NOW)).toBe('—');
    expect(formatAge('not a date', NOW, 'Never')).toBe('Never');
  });
});

describe('formatDue', () => {
  const SECOND = 1000;

  it('says how soon a planned time comes, never "now" for one still ahead', () => {
    expect(formatDue(new Date(NOW + 4 * 60 * SECOND), NOW)).toBe('in 4 minutes');
    expect(formatDue(new Date(NOW + 5 * HOUR), NOW)).toBe('in 5 hours');
    expect(formatDue(new Date(NOW + 61 * SECOND), NOW)).toBe('in 1 minute');
    expect(formatDue(new Date(NOW + 59 * SECOND), NOW)).toBe('in less than a minute');
    expect(formatDue(new Date(NOW + 1 * SECOND), NOW)).toBe('in less than a minute');
    setLocale('de');
    expect(formatDue(new Date(NOW + 20 * SECOND), NOW)).toBe('in weniger als einer Minute');
    expect(formatDue(new Date(NOW + 4 * 60 * SECOND), NOW)).toBe('in 4 Minuten');
  });

  it('says "any moment" for a planned time that has just come and not started yet, and how overdue it is after two minutes', () => {
    expect(formatDue(new Date(NOW), NOW)).toBe('any moment');
    expect(formatDue(new Date(NOW - 20 * SECOND), NOW)).toBe('any moment');
    expect(formatDue(new Date(NOW - 119 * SECOND), NOW)).toBe('any moment');
    expect(formatDue(new Date(NOW - 3 * HOUR), NOW)).toBe('overdue by 3 hours');
    expect(formatDue(new Date(NOW - 2 * 60 * SECOND), NOW)).toBe('overdue by 2 minutes');
    expect(formatDue(new Date(NOW - 25 * HOUR), NOW)).toBe('overdue by 1 day');
    setLocale('de');
    expect(formatDue(new Date(NOW - 20 * SECOND), NOW)).toBe('jeden Moment');
    expect(formatDue(new Date(NOW - 3 * HOUR), NOW)).toBe('seit 3 Stunden überfällig');
    expect(formatDue(new Date(NOW - 25 * HOUR), NOW)).toBe('seit 1 Tag überfällig');
  });

  it('reads DOCSight UTC timestamps and gives the fallback for nothing or nonsense', () => {
    expect(formatDue('2026-11-26 13:00:00', NOW)).toBe('in 1 hour');
    expect(formatDue(null, NOW)).toBe('—');
    expect(formatDue('', NOW, 'Not planned')).toBe('Not planned');
    expect(formatDue('not a date', NOW, 'Not planned')).toBe('Not planned');
  });
});
