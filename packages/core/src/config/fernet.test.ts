import { describe, expect, it } from 'vitest';
import { isLockerError } from '../errors.ts';
import { fernetDecrypt, fernetEncrypt, generateFernetKey, parseFernetKey } from './fernet.ts';

// Spec vectors of github.com/fernet/spec (generate.json, verify.json, invalid.json), copied verbatim.
const GENERATE = [
  {
    token: 'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==',
    now: '1985-10-26T01:20:00-07:00',
    iv: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    src: 'hello',
    secret: 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=',
  },
];

const VERIFY = [
  {
    token: 'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==',
    now: '1985-10-26T01:20:01-07:00',
    ttl_sec: 60,
    src: 'hello',
    secret: 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=',
  },
];

const SPEC_SECRET = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
const INVALID = [
  {
    desc: 'incorrect mac',
    token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQUFBQQ==',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'too short',
    token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'invalid base64',
    token: '%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'payload size not multiple of block size',
    token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfyudzUm',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'payload padding error',
    token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKNqOhw==',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'far-future TS (unacceptable clock skew)',
    token: 'gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-iX9b_qXQcw==',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'expired TTL',
    token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==',
    now: '1985-10-26T01:21:31-07:00',
  },
  {
    desc: 'incorrect IV (causes padding error)',
    token: 'gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIvcZjK1zQ==',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'trailing characters after b64 padding',
    token: 'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==trailingdata',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'invalid characters in b64',
    token: '*gAAAAAAdwJ6wAAECAwQFBgcI!CQoLDA0ODy021?cpGVWKZ_eEwC@GM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==',
    now: '1985-10-26T01:20:01-07:00',
  },
  {
    desc: 'invalid non-urlsafe characters in b64',
    token: 'gAAAAAAdwJ6wAAEC/AwQFBgcICQoLDA0ODy+021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==',
    now: '1985-10-26T01:20:01-07:00',
  },
];
const TTL_SEC = 60;
/** The two vectors whose MAC is valid: only a TTL check rejects them, and DOCSight sets none. */
const TIME_ONLY = new Set(['far-future TS (unacceptable clock skew)', 'expired TTL']);

function expectUndecryptable(run: () => unknown): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isLockerError(thrown, 'SECRET_UNDECRYPTABLE')).toBe(true);
}

describe('fernet', () => {
  it.each(GENERATE)('produces the spec token from fixed time and IV', (vector) => {
    const token = fernetEncrypt(vector.secret, vector.src, {
      now: new Date(vector.now),
      iv: Uint8Array.from(vector.iv),
    });
    expect(token).toBe(vector.token);
  });

  it.each(VERIFY)('decrypts the spec verify token', (vector) => {
    const plain = fernetDecrypt(vector.secret, vector.token, {
      ttlSec: vector.ttl_sec,
      now: new Date(vector.now),
    });
    expect(plain.toString('utf8')).toBe(vector.src);
    expect(fernetDecrypt(vector.secret, vector.token).toString('utf8')).toBe(vector.src);
  });

  it.each(INVALID)('rejects the spec invalid token: $desc', (vector) => {
    expectUndecryptable(() => fernetDecrypt(SPEC_SECRET, vector.token, { ttlSec: TTL_SEC, now: new Date(vector.now) }));
  });

  it.each(INVALID.filter((v) => !TIME_ONLY.has(v.desc)))('rejects the spec invalid token without a TTL: $desc', (vector) => {
    expectUndecryptable(() => fernetDecrypt(SPEC_SECRET, vector.token));
  });

  it.each(INVALID.filter((v) => TIME_ONLY.has(v.desc)))(
    'accepts an out-of-time token when no TTL is set, as DOCSight does: $desc',
    (vector) => {
      // Both vectors carry an empty plaintext under a valid MAC (checked against Python's Fernet).
      expect(fernetDecrypt(SPEC_SECRET, vector.token).toString('utf8')).toBe('');
    },
  );

  it('round-trips UTF-8 text with a generated key', () => {
    const key = generateFernetKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    const token = fernetEncrypt(key, 'Müller ☃ 🙂');
    expect(token.startsWith('gAAAAA')).toBe(true);
    expect(fernetDecrypt(key, token).toString('utf8')).toBe('Müller ☃ 🙂');
  });

  it('rejects a token made with another key', () => {
    const token = fernetEncrypt(generateFernetKey(), 'secret');
    expectUndecryptable(() => fernetDecrypt(generateFernetKey(), token));
  });

  it('rejects plaintext that is not a token', () => {
    expectUndecryptable(() => fernetDecrypt(SPEC_SECRET, 'Vodafone-Station-1234'));
    expectUndecryptable(() => fernetDecrypt(SPEC_SECRET, ''));
  });

  it('parses a key with a trailing newline and rejects a short one', () => {
    expect(parseFernetKey(`${SPEC_SECRET}\n`).text).toBe(SPEC_SECRET);
    expect(() => parseFernetKey('c2hvcnQ=')).toThrow(/Fernet key/);
  });
});
