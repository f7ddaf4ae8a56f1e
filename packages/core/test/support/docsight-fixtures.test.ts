import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCSIGHT_FIXTURE_NAMES, docsightFixture, type DocsightFixtureName } from './docsight-fixtures.mjs';

describe('docsightFixture (@evidence-locker/core/testing)', () => {
  it('names the archive, expected.json and datadir.json of each fixture', () => {
    expect(DOCSIGHT_FIXTURE_NAMES).toEqual(['a-real-1m', 'b-demo-1m']);
    for (const name of DOCSIGHT_FIXTURE_NAMES) {
      const fixture = docsightFixture(name);
      for (const file of [fixture.archive, fixture.expected, fixture.dataDirSummary]) expect(fs.statSync(file).isFile(), file).toBe(true);
      expect(fixture.archive).toMatch(/\/docsight_backup_\d{4}-\d\d-\d\d_\d{6}\.tar\.gz$/);
    }
  });

  it('refuses a name that is not a fixture', () => {
    expect(() => docsightFixture('c-missing' as DocsightFixtureName)).toThrow('no DOCSight fixture named "c-missing"');
  });
});
