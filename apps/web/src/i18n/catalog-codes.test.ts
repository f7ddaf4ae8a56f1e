/**
 * Every code the server can tell and every step it can name has a text in both languages. The lists
 * come from the server (`@evidence-locker/server/codes`: the engine's LockerError codes, the server's
 * refusals, the archive warnings, the job steps), so a new code without a text fails here.
 */
import { describe, expect, it } from 'vitest';
import { ARCHIVE_WARNING_CODES, ERROR_CODES, JOB_PHASES } from '@evidence-locker/server/codes';
import { de } from './messages-de.ts';
import { en } from './messages-en.ts';

const CATALOGS = { en, de } as const;

function textOf(catalog: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(catalog, key) ? catalog[key] : undefined;
}

describe.each(Object.entries(CATALOGS))('the %s catalog', (_language, catalog) => {
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
    expect(ERROR_CODES).toEqual(expect.arrayContaining(['ARCHIVE_NOT_GZIP', 'MEMBER_CHECKSUM_MISMATCH', 'SETUP_UPLOAD_LIMIT', 'UPLOAD_GONE']));
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});
