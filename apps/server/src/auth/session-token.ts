/**
 * The session cookie `el_session`: stateless, `v1.<expiry unix s>.<signature>`, where the signature
 * is HMAC-SHA256 keyed with the data directory's 32-byte `.session_key` over the expiry and
 * DOCSight's `auth_marker` (HMAC(session_key, "docsight-admin-session-v1\0" + admin password value)).
 * So a cookie stops working when the admin password changes (new marker), when the session key is
 * rotated (logout-all, or a password edited offline: see instance/session-key.ts), or at expiry.
 * Nothing is stored server-side; logging out clears the cookie in this browser only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'el_session';
/** DOCSight's default SESSION_LIFETIME_DAYS. */
export const SESSION_LIFETIME_SECONDS = 30 * 24 * 60 * 60;

const MARKER_CONTEXT = 'docsight-admin-session-v1\0';
const TOKEN_CONTEXT = 'evidence-locker-session-v1\0';

/** DOCSight's `auth_marker`: hex HMAC-SHA256(session key, context + admin password value). */
export function authMarker(sessionKey: Uint8Array, adminPasswordRepr: string): string {
  return createHmac('sha256', sessionKey)
    .update(MARKER_CONTEXT)
    .update(Buffer.from(adminPasswordRepr, 'utf8'))
    .digest('hex');
}

function signature(sessionKey: Uint8Array, adminPasswordRepr: string, expiry: number): Buffer {
  return createHmac('sha256', sessionKey)
    .update(TOKEN_CONTEXT)
    .update(`${expiry}\0${authMarker(sessionKey, adminPasswordRepr)}`)
    .digest();
}

/** A new session token valid for {@link SESSION_LIFETIME_SECONDS} from `nowMs` (default now). */
export function issueSessionToken(
  sessionKey: Uint8Array,
  adminPasswordRepr: string,
  nowMs: number = Date.now(),
): string {
  const expiry = Math.floor(nowMs / 1000) + SESSION_LIFETIME_SECONDS;
  return `v1.${expiry}.${signature(sessionKey, adminPasswordRepr, expiry).toString('base64url')}`;
}

/** True when `token` was issued with this key and admin password value and has not expired. */
export function verifySessionToken(
  token: string | undefined,
  sessionKey: Uint8Array,
  adminPasswordRepr: string,
  nowMs: number = Date.now(),
): boolean {
  if (token === undefined) return false;
  const match = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return false;
  const expiry = Number(match[1]);
  if (expiry * 1000 <= nowMs) return false;
  const given = Buffer.from(match[2] ?? '', 'base64url');
  const expected = signature(sessionKey, adminPasswordRepr, expiry);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
