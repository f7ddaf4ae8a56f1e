/**
 * The reference archives made by DOCSight's own code (test/fixtures/docsight; its README says how
 * and what each holds), by name, as absolute paths. Plain JavaScript, so scripts that run without
 * tsx (container/test-support.mjs) can import it too:
 *
 *   import { docsightFixture } from '@evidence-locker/core/testing';                   (TypeScript)
 *   import { docsightFixture } from '@evidence-locker/core/testing/docsight-fixtures'; (plain node)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/fixtures/docsight, absolute. */
export const DOCSIGHT_FIXTURES_DIR = path.resolve(fileURLToPath(new URL('../fixtures/docsight', import.meta.url)));

const ARCHIVE_FILES = {
  'a-real-1m': 'docsight_backup_2026-11-26_070713.tar.gz',
  'b-demo-1m': 'docsight_backup_2026-11-26_070726.tar.gz',
};

/** The fixtures' names: (a) `a-real-1m` real data, modem configured; (b) `b-demo-1m` a demo-mode instance. */
export const DOCSIGHT_FIXTURE_NAMES = Object.freeze(Object.keys(ARCHIVE_FILES));

/** One fixture's directory, archive, `expected.json` and `datadir.json`; throws for an unknown name. */
export function docsightFixture(name) {
  const file = Object.hasOwn(ARCHIVE_FILES, name) ? ARCHIVE_FILES[name] : undefined;
  if (file === undefined)
    throw new Error(`no DOCSight fixture named ${JSON.stringify(name)} (known: ${DOCSIGHT_FIXTURE_NAMES.join(', ')})`);
  const dir = path.join(DOCSIGHT_FIXTURES_DIR, name);
  return {
    name,
    dir,
    archive: path.join(dir, file),
    expected: path.join(dir, 'expected.json'),
    dataDirSummary: path.join(dir, 'datadir.json'),
  };
}
