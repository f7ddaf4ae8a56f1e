import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authMarker, issueSessionToken, readSessionToken, SESSION_LIFETIME_SECONDS, verifySessionToken } from './session-token.ts';

describe('session tokens', () => {
  const key = randomBytes(32);
  const hash = 'scrypt:32768:8:1$salt$abc';

  it('computes DOCSight auth_marker', () => {
    // HMAC-SHA256(key = 32 zero bytes, "docsight-admin-session-v1\0" + "x"), computed with Python's hmac.
    expect(authMarker(Buffer.alloc(32), 'x')).toBe('dcbfd629a721bd5b4e6ff37d799d4964c3a783b6b5b2a2fa69c32b158ce01573');
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

  it('gives every login its own session id, and reads it back with the expiry', () => {
    const now = Date.UTC(2026, 0, 1);
    const first = issueSessionToken(key, hash, now);
    const second = issueSessionToken(key, hash, now);
    expect(first).not.toBe(second);
    const claims = readSessionToken(first, key, hash, now);
    expect(claims).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), expiresAt: now / 1000 + SESSION_LIFETIME_SECONDS });
    expect(readSessionToken(second, key, hash, now)?.id).not.toBe(claims?.id);
  });

  it('rejects tampered and malformed tokens, and the old v1 tokens that had no session id', () => {
    const token = issueSessionToken(key, hash);
    const [, expiry, id, sig] = token.split('.');
    expect(verifySessionToken(`v2.${Number(expiry) + 1000}.${id}.${sig}`, key, hash)).toBe(false);
    const otherId = `${id!.slice(0, 21)}${id!.endsWith('A') ? 'B' : 'A'}`;
    expect(verifySessionToken(`v2.${expiry}.${otherId}.${sig}`, key, hash)).toBe(false);
    expect(verifySessionToken(`v1.${expiry}.${sig}`, key, hash)).toBe(false);
    expect(verifySessionToken('garbage', key, hash)).toBe(false);
    expect(verifySessionToken(undefined, key, hash)).toBe(false);
  });
});
