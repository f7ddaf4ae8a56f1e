import { afterEach, describe, expect, it } from 'vitest';
import { formatAge } from './format-age.ts';
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
