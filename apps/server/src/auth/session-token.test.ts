import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authMarker, issueSessionToken, SESSION_LIFETIME_SECONDS, verifySessionToken } from './session-token.ts';

describe('session tokens', () => {
  const key = randomBytes(32);
  const hash = 'scrypt:32768:8:1$salt$abc';

  it('computes DOCSight auth_marker', () => {
    // HMAC-SHA256(key = 32 zero bytes, "docsight-admin-session-v1\0" + "x"), computed with Python's hmac.
    expect(authMarker(Buffer.alloc(32), 'x')).toBe(
      'dcbfd629a721bd5b4e6ff37d799d4964c3a783b6b5b2a2fa69c32b158ce01573',
    );
  });

  it('accepts its own token until it expires', () => {
    const now = Date.UTC(2026, 0, 1);
    const token = issueSessionToken(key, hash, now);
    expect(verifySessionToken(token, key, hash, now)).toBe(true);
    expect(verifySessionToken(token, key, hash, now + (SESSION_LIFETIME_SECONDS - 1) * 1000)).toBe(true);
    expect(verifySessionToken(token, key, hash, now + SESSION_LIFETIME_SECONDS * 1000)).toBe(false);
  });

  it('rejects a token after the admin password or the session key changes', () => {
    const token = issueSessionToken(key, hash);
    expect(verifySessionToken(token, key, 'scrypt:other')).toBe(false);
    expect(verifySessionToken(token, randomBytes(32), hash)).toBe(false);
  });

  it('rejects tampered and malformed tokens', () => {
    const token = issueSessionToken(key, hash);
    const [, expiry, sig] = token.split('.');
    expect(verifySessionToken(`v1.${Number(expiry) + 1000}.${sig}`, key, hash)).toBe(false);
    expect(verifySessionToken('garbage', key, hash)).toBe(false);
    expect(verifySessionToken(undefined, key, hash)).toBe(false);
  });
});
