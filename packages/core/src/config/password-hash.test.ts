import { describe, expect, it } from 'vitest';
import { checkPasswordHash, hashPassword, isPasswordHash } from './password-hash.ts';

// test/fixtures/password-hashes.md: both hash `Evidence-Locker-2026!`.
const PASSWORD = 'Evidence-Locker-2026!';
const SCRYPT_HASH =
  'scrypt:32768:8:1$Xq3vTn8LpR2sWk9d$8192a98ebd680281200c6823e088bb9c4a0793cec0a23f4c031220569d2d3761f6cdd4a62e1512b54303e205f7fde658c8f1dd8477279acf407eabbbb1f99aa4';
const PBKDF2_HASH = 'pbkdf2:sha256:600000$Pb7HcM1zQe4uYa0f$529263c17bd2a37e63396c67eecc7104a95303f144b393fd037ab8d4c871785a';

describe('password hashes', () => {
  it('verifies the werkzeug scrypt vector', async () => {
    expect(await checkPasswordHash(SCRYPT_HASH, PASSWORD)).toBe(true);
  });

  it('verifies the werkzeug pbkdf2 vector', async () => {
    expect(await checkPasswordHash(PBKDF2_HASH, PASSWORD)).toBe(true);
  });

  it('rejects wrong passwords for both formats', async () => {
    expect(await checkPasswordHash(SCRYPT_HASH, 'evidence-locker-2026!')).toBe(false);
    expect(await checkPasswordHash(PBKDF2_HASH, `${PASSWORD} `)).toBe(false);
    expect(await checkPasswordHash(PBKDF2_HASH, '')).toBe(false);
  });

  it('returns false for malformed hashes instead of throwing', async () => {
    const malformed = [
      '',
      PASSWORD,
      'scrypt:32768:8:1$onlysalt',
      'md5$salt$abc',
      'scrypt:32768:8$salt$00',
      'scrypt:30000:8:1$salt$00',
      'scrypt:x:8:1$salt$00',
      'scrypt:1048576:64:16$salt$00',
      'pbkdf2:sha256:0$salt$00',
      'pbkdf2:sha256:abc$salt$00',
      'pbkdf2:whirlpool:1000$salt$00',
      'pbkdf2:sha256:1000:extra$salt$00',
      'pbkdf2:sha256:999999999$salt$00',
      SCRYPT_HASH.slice(0, -2),
      `${PBKDF2_HASH}ü`,
    ];
    for (const hash of malformed) {
      expect(await checkPasswordHash(hash, PASSWORD), hash).toBe(false);
    }
  });

  it('writes a new hash in werkzeug 3 default format that verifies', async () => {
    const hash = await hashPassword('Müller-Passwort');
    expect(hash).toMatch(/^scrypt:32768:8:1\$[A-Za-z0-9]{16}\$[0-9a-f]{128}$/);
    expect(isPasswordHash(hash)).toBe(true);
    expect(await checkPasswordHash(hash, 'Müller-Passwort')).toBe(true);
    expect(await checkPasswordHash(hash, 'Muller-Passwort')).toBe(false);
  });

  it('uses a fresh salt for every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
  });

  it('accepts werkzeug short method forms and other pbkdf2 digests', async () => {
    // Expected hex computed with Python's hashlib (werkzeug's _hash_internal uses it directly).
    const scryptDefault =
      '88477da782dac92578702c73f87b3638a19106acb8ac8c0613ecdde7dcb625be1b756ff0b12893bf001d6ff98653d8b65b492980a3468b443f9eb6a97c52f348';
    expect(await checkPasswordHash(`scrypt$salt$${scryptDefault}`, 'pw')).toBe(true);
    expect(await checkPasswordHash('pbkdf2:sha1:1000$salt$ba95848a9b5ce11f1b43d7d167d8413daa5ed22b', 'pw')).toBe(true);
    const sha512 =
      '150236d682432c7b02aebf73a59d83767fd0d7691e5f45e515cff7e443a51cd8ce5b09cc1b3872ec1962d70769619af27a64695ef2a8388a325e2e5bac504719';
    // The salt is used as its UTF-8 bytes, like the password.
    expect(await checkPasswordHash(`pbkdf2:sha512:1000$sält$${sha512}`, 'pässwort')).toBe(true);
  });
});
