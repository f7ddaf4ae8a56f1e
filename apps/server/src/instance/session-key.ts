/**
 * DOCSight's `_init_auth_state`/`_sync_auth_state`: `.auth_state` fingerprints the admin password
 * value under the current `.session_key`. When it is missing it is written; when it does not match
 * (the password was changed offline, or a restore brought another instance's files) the session
 * key is rotated first, which logs every session out, then the fingerprint is rewritten.
 */
import { computeAuthState, loadOrCreateSessionKey, readAuthState, writeAuthState, writeSessionKey } from '@evidence-locker/core';

/** Result of {@link syncSessionKey}. */
export interface SessionKeySync {
  sessionKey: Buffer;
  /** True when the key was rotated because `.auth_state` did not match. */
  rotated: boolean;
}

/**
 * Returns the session key for `adminPasswordRepr` (the stored admin_password value, "" when none),
 * creating `.session_key`/`.auth_state` when missing and rotating on a mismatch.
 */
export async function syncSessionKey(dataDir: string, adminPasswordRepr: string): Promise<SessionKeySync> {
  let sessionKey = await loadOrCreateSessionKey(dataDir);
  const stored = await readAuthState(dataDir);
  if (stored === computeAuthState(sessionKey, adminPasswordRepr)) return { sessionKey, rotated: false };
  const rotated = stored !== null;
  if (rotated) sessionKey = await writeSessionKey(dataDir);
  await writeAuthState(dataDir, sessionKey, adminPasswordRepr);
  return { sessionKey, rotated };
}

/**
 * Rotates the session key (32 new random bytes in `.session_key`, as DOCSight's rotate) and writes
 * the matching `.auth_state` for `adminPasswordRepr`, which logs every session out. Returns the
 * new key.
 */
export async function rotateSessionKey(dataDir: string, adminPasswordRepr: string): Promise<Buffer> {
  const sessionKey = await writeSessionKey(dataDir);
  await writeAuthState(dataDir, sessionKey, adminPasswordRepr);
  return sessionKey;
}
