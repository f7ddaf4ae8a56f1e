import { afterEach, describe, expect, it } from 'vitest';
import { de } from './messages-de.ts';
import { en } from './messages-en.ts';
import { formatBytes, formatDateTime, initialLocale, interpolate, normaliseTimestamp, setLocale, t } from './use-i18n.ts';

afterEach(() => setLocale('en'));

describe('catalogs', () => {
  it('has a non-empty German text for every English key', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(de)) expect(text, key).not.toBe('');
  });

  it('keeps the same parameters in both languages', () => {
    const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect(params(de[key]), key).toEqual(params(en[key]));
  });
});

describe('t', () => {
  it('translates with parameters and follows the locale switch', () => {
    expect(t('settings.now.saved', { name: 'a.tar.gz' })).toBe('Backup saved to server: a.tar.gz');
    setLocale('de');
    expect(t('settings.now.saved', { name: 'a.tar.gz' })).toBe('Sicherung auf dem Server gespeichert: a.tar.gz');
    expect(document.documentElement.lang).toBe('de');
  });

  it('leaves unknown parameters visible rather than dropping them', () => {
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});

describe('initialLocale', () => {
  it('prefers the stored choice, then the browser language, then English', () => {
    expect(initialLocale('de', ['en-US'])).toBe('de');
    expect(initialLocale(null, ['fr-FR', 'de-AT'])).toBe('de');
    expect(initialLocale('xx', ['fr'])).toBe('en');
  });
});

describe('formatting', () => {
  it('reads DOCSight timestamps without a zone as UTC', () => {
    expect(normaliseTimestamp('2026-11-26 07:07:13')).toBe('2026-11-26T07:07:13Z');
    expect(normaliseTimestamp('2026-11-26T07:07:13.713745+00:00')).toBe('2026-11-26T07:07:13.713745+00:00');
  });

  it('shows the fallback for a missing or broken date', () => {
    expect(formatDateTime(null, 'Never')).toBe('Never');
    expect(formatDateTime('not a date', 'Never')).toBe('Never');
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3_021_406)).toBe('2.9 MB');
    expect(formatBytes(8 * 1024)).toBe('8 KB');
  });
});
