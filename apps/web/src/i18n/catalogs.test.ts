/**
 * The catalogs as translators edit them: the JSON files in locales/, read as written (not as the
 * build compiles them). Every language has exactly the English keys, no key without a text, and
 * the same parameters in each text, so no language can show a key, an empty line or a lost fact;
 * and every key the code names has a text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES_DIR, readCatalog } from '@evidence-locker/web/testing/read-catalog';
import { LOCALES } from './i18n.ts';

/** The named parameters a text uses, sorted: `['name']` for "{name} is missing". */
function params(text: unknown): string[] {
  return [...String(text).matchAll(/\{\s*(\w+)\s*\}/g)].map((match) => match[1] ?? '').sort();
}

const english = readCatalog('en');

/** The source files of the app (tests aside), as paths. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|vue)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the catalogs', () => {
  it('are one JSON file for each language the app offers', () => {
    const files = readdirSync(LOCALES_DIR).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(LOCALES.map((locale) => `${locale}.json`).sort());
  });

  it.each(LOCALES)('%s: every key has a non-empty text', (locale) => {
    for (const [key, text] of readCatalog(locale)) {
      expect(typeof text, key).toBe('string');
      expect(String(text).trim(), key).not.toBe('');
    }
  });

  it.each(LOCALES)('%s: has exactly the English keys, none missing and none extra', (locale) => {
    const keys = [...readCatalog(locale).keys()];
    expect(
      keys.filter((key) => !english.has(key)),
      'keys English does not have',
    ).toEqual([]);
    expect(
      [...english.keys()].filter((key) => !keys.includes(key)),
      'English keys without a text',
    ).toEqual([]);
  });

  it.each(LOCALES)('%s: keeps the parameters of the English texts', (locale) => {
    for (const [key, text] of readCatalog(locale)) expect(params(text), key).toEqual(params(english.get(key)));
  });

  it('have a text for every key the code names (vue-i18n takes any string as a key)', () => {
    const named = sourceFiles(join(LOCALES_DIR, '../..')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bte?\(\s*'([^']+)'/g)].map((match) => ({ file, key: match[1] ?? '' })),
    );
    expect(named.length).toBeGreaterThan(100);
    expect(named.filter(({ key }) => !english.has(key))).toEqual([]);
  });
});
