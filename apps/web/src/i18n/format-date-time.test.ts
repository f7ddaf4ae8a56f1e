import { afterEach, describe, expect, it } from 'vitest';
import { formatDateTime, normaliseTimestamp } from './format-date-time.ts';
import { setLocale } from './i18n.ts';

afterEach(() => setLocale('en'));

describe('formatDateTime', () => {
  it('reads DOCSight timestamps without a zone as UTC', () => {
    expect(normaliseTimestamp('2026-11-26 07:07:13')).toBe('2026-11-26T07:07:13Z');
    expect(normaliseTimestamp('2026-11-26T07:07:13.713745+00:00')).toBe('2026-11-26T07:07:13.713745+00:00');
  });

  it('shows the fallback for a missing or broken date', () => {
    expect(formatDateTime(null, 'Never')).toBe('Never');
    expect(formatDateTime('not a date', 'Never')).toBe('Never');
  });

  it("formats a date with its time in the user's language and zone", () => {
    const date = new Date('2026-11-26T07:07:13Z');
    const options = { dateStyle: 'medium', timeStyle: 'short' } as const;
    expect(formatDateTime('2026-11-26 07:07:13')).toBe(new Intl.DateTimeFormat('en', options).format(date));
    setLocale('de');
    expect(formatDateTime(date)).toBe(new Intl.DateTimeFormat('de', options).format(date));
  });
});
