/**
 * A catalog as translators edit it: src/i18n/locales/<locale>.json read as written, not as the
 * build compiles it, flattened to key path → text.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the JSON catalogs (a path: happy-dom's URL is not the one node:fs reads). */
export const LOCALES_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../src/i18n/locales');

/** The catalog of `locale` as key path → text, e.g. `settings.now.saved` → "Backup saved to server: {name}". */
export function readCatalog(locale: string): Map<string, unknown> {
  const texts = new Map<string, unknown>();
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
      for (const [key, child] of Object.entries(node)) walk(child, path === '' ? key : `${path}.${key}`);
    } else {
      texts.set(path, node);
    }
  };
  walk(JSON.parse(readFileSync(join(LOCALES_DIR, `${locale}.json`), 'utf8')), '');
  return texts;
}
