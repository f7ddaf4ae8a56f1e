import fs from 'node:fs';
import { docsightFixture } from '@evidence-locker/core/testing';
import { describe, expect, it } from 'vitest';
import { isArmoredSealedHeader, isSealedHeader, isSealedMagicPrefix } from './sealed-header.ts';
import { plainArchiveName, sealedArchiveName, SEALED_SUFFIX } from './sealed-archive-name.ts';

const encoded = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('isSealedHeader', () => {
  it('recognises the first line of a binary age file', () => {
    expect(isSealedHeader(encoded('age-encryption.org/v1\n-> X25519 abc\n'))).toBe(true);
  });

  it('does not take a plain DOCSight archive, a shorter prefix or the armored form for a sealed archive', () => {
    const plainStart = fs.readFileSync(docsightFixture('a-real-1m').archive).subarray(0, 64);
    expect(isSealedHeader(plainStart)).toBe(false);
    expect(isSealedHeader(encoded('age-encryption.org/v1'))).toBe(false);
    expect(isSealedHeader(encoded('age-encryption.org/v2\n'))).toBe(false);
    const armored = encoded('-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n');
    expect(isSealedHeader(armored)).toBe(false);
    expect(isArmoredSealedHeader(armored)).toBe(true);
  });

  it('tells a file cut inside the version line from one that is something else', () => {
    expect(isSealedMagicPrefix(encoded(''))).toBe(true);
    expect(isSealedMagicPrefix(encoded('age-enc'))).toBe(true);
    expect(isSealedMagicPrefix(encoded('age-x'))).toBe(false);
    expect(isSealedMagicPrefix(encoded('age-encryption.org/v1\n'))).toBe(false);
  });
});

describe('sealed archive names', () => {
  it('appends .age to a backup file name and takes it off again', () => {
    expect(SEALED_SUFFIX).toBe('.age');
    expect(sealedArchiveName('docsight_backup_2026-01-31_020000.tar.gz')).toBe('docsight_backup_2026-01-31_020000.tar.gz.age');
    expect(plainArchiveName('docsight_backup_2026-01-31_020000_2.tar.gz.age')).toBe('docsight_backup_2026-01-31_020000_2.tar.gz');
  });

  it('refuses names that are not backups', () => {
    expect(() => sealedArchiveName('../etc/passwd')).toThrow(expect.objectContaining({ code: 'BACKUP_NAME_INVALID' }));
    expect(plainArchiveName('docsight_backup_2026-01-31_020000.tar.gz')).toBeNull();
    expect(plainArchiveName('notes.tar.gz.age')).toBeNull();
  });
});
