/**
 * The session cookie `el_session`: `v2.<expiry unix s>.<session id>.<signature>`, where the session
 * id is 16 random bytes (base64url) naming this one login, and the signature is HMAC-SHA256 keyed
 * with the data directory's 32-byte `.session_key` over the expiry, the id and DOCSight's
 * `auth_marker` (HMAC(session_key, "docsight-admin-session-v1\0" + admin password value)).
 * So a cookie stops working when the admin password changes (new marker), when the session key is
 * rotated (log out everywhere, a restore, or a password edited offline: instance/session-key.ts),
 * at expiry, or when its session was logged out (the id is kept in auth/ended-sessions.ts until
 * the cookie would have expired). `v1` cookies, which had no id and so could not be logged out
 * one by one, are no longer accepted.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'el_session';
/** DOCSight's default SESSION_LIFETIME_DAYS. */
export const SESSION_LIFETIME_SECONDS = 30 * 24 * 60 * 60;

const MARKER_CONTEXT = 'docsight-admin-session-v1\0';
const TOKEN_CONTEXT = 'evidence-locker-session-v2\0';

/** DOCSight's `auth_marker`: hex HMAC-SHA256(session key, context + admin password value). */
export function authMarker(sessionKey: Uint8Array, adminPasswordRepr: string): string {
  return createHmac('sha256', sessionKey).update(MARKER_CONTEXT).update(Buffer.from(adminPasswordRepr, 'utf8')).digest('hex');
}

/** What a valid session token says. */
export interface SessionClaims {
  /** This login's id (22 base64url characters). */
  id: string;
  /** When the cookie expires, in unix seconds. */
  expiresAt: number;
}

function signature(sessionKey: Uint8Array, adminPasswordRepr: string, expiry: number, id: string): Buffer {
  return createHmac('sha256', sessionKey)
    .update(TOKEN_CONTEXT)
    .update(`${expiry}\0${id}\0${authMarker(sessionKey, adminPasswordRepr)}`)
    .digest();
}

/** A new session (fresh id) valid for {@link SESSION_LIFETIME_SECONDS} from `nowMs` (default now). */
export function issueSessionToken(sessionKey: Uint8Array, adminPasswordRepr: string, nowMs: number = Date.now()): string {
  const expiry = Math.floor(nowMs / 1000) + SESSION_LIFETIME_SECONDS;
  const id = randomBytes(16).toString('base64url');
  return `v2.${expiry}.${id}.${signature(sessionKey, adminPasswordRepr, expiry, id).toString('base64url')}`;
}

/**
 * The claims of `token` when it was issued with this key and admin password value and has not
 * expired; null otherwise. Whether its session was logged out is the caller's question
 * (Instance.sessionOf asks auth/ended-sessions.ts).
 */
export function readSessionToken(
  token: string | undefined,
  sessionKey: Uint8Array,
  adminPasswordRepr: string,
  nowMs: number = Date.now(),
): SessionClaims | null {
  if (token === undefined) return null;
  const match = /^v2\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const expiry = Number(match[1]);
  const id = match[2] ?? '';
  if (expiry * 1000 <= nowMs) return null;
  const given = Buffer.from(match[3] ?? '', 'base64url');
  const expected = signature(sessionKey, adminPasswordRepr, expiry, id);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { id, expiresAt: expiry } : null;
}

/** True when {@link readSessionToken} accepts `token` (the signature and expiry only). */
export function verifySessionToken(
  token: string | undefined,
  sessionKey: Uint8Array,
  adminPasswordRepr: string,
  nowMs: number = Date.now(),
): boolean {
  return readSessionToken(token, sessionKey, adminPasswordRepr, nowMs) !== null;
}
