/**
 * Every code the server can tell and every step it can name has a text in every language. The lists
 * come from the server (`@evidence-locker/server/codes`: the engine's LockerError codes, the server's
 * refusals, the archive warnings, the job steps), so a new code without a text fails here.
 */
import { describe, expect, it } from 'vitest';
import { ARCHIVE_WARNING_CODES, ERROR_CODES, JOB_PHASES } from '@evidence-locker/server/codes';
import { readCatalog } from '@evidence-locker/web/testing/read-catalog';
import { LOCALES } from './i18n.ts';

function textOf(catalog: Map<string, unknown>, key: string): string | undefined {
  const text = catalog.get(key);
  return typeof text === 'string' ? text : undefined;
}

describe.each(LOCALES)('the %s catalog', (locale) => {
  const catalog = readCatalog(locale);

  it('has a text for every error code the server can send', () => {
    const missing = ERROR_CODES.filter((code) => !textOf(catalog, `error.${code}`)?.trim());
    expect(missing).toEqual([]);
  });

  it('has a text for every archive warning', () => {
    const missing = ARCHIVE_WARNING_CODES.filter((code) => !textOf(catalog, `warning.${code}`)?.trim());
    expect(missing).toEqual([]);
  });

  it("has words for every step a job's progress can name", () => {
    const missing = JOB_PHASES.filter((phase) => !textOf(catalog, `job.phase.${phase}`)?.trim());
    expect(missing).toEqual([]);
  });
});

describe('the code lists', () => {
  it('hold the codes a user meets, from the engine and from the server', () => {
    expect(ERROR_CODES).toEqual(
      expect.arrayContaining(['ARCHIVE_NOT_GZIP', 'MEMBER_CHECKSUM_MISMATCH', 'SETUP_UPLOAD_LIMIT', 'UPLOAD_GONE']),
    );
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});
