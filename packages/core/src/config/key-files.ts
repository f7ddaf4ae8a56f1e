/**
 * The three key files of a DOCSight data directory, in the formats DOCSight reads:
 * - `.config_key`: the Fernet key, 44 ASCII bytes, no newline (read back with strip()).
 * - `.session_key`: 32 raw random bytes, the cookie-signing key, read whole.
 * - `.auth_state`: 64 lowercase hex chars, HMAC-SHA256 fingerprint of the admin password state.
 * All are written atomically with mode 0600.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AUTH_STATE_FILE, CONFIG_KEY_FILE, SESSION_KEY_FILE } from '../data-dir-layout.ts';
import { errnoCode } from '../errors.ts';
import { generateFernetKey, parseFernetKey, type FernetKey } from './fernet.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

/** Length of a session key DOCSight creates (`os.urandom(32)`). */
export const SESSION_KEY_LENGTH = 32;
/** The domain-separation prefix of the `.auth_state` HMAC message (`app/runtime.py`). */
const AUTH_STATE_CONTEXT = Buffer.from('docsight-admin-auth-state-v1\0', 'utf8');
const AUTH_STATE_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Reads `.config_key`; null when the file does not exist. Throws CONFIG_KEY_INVALID when it exists
 * but is not a Fernet key (DOCSight would fail to start on it).
 */
export async function readConfigKey(dataDir: string): Promise<FernetKey | null> {
  const text = await readOptional(path.join(dataDir, CONFIG_KEY_FILE));
  return text === null ? null : parseFernetKey(text.toString('latin1'));
}

/**
 * Returns the data directory's Fernet key, creating `.config_key` first when it is missing, as
 * DOCSight does on startup. Creation never replaces a key another process wrote meanwhile.
 */
export async function loadOrCreateConfigKey(dataDir: string): Promise<FernetKey> {
  const existing = await readConfigKey(dataDir);
  if (existing) return existing;
  const created = generateFernetKey();
  const written = await writeFileAtomic(path.join(dataDir, CONFIG_KEY_FILE), created, {
    noClobber: true,
  });
  if (!written) {
    const raced = await readConfigKey(dataDir);
    if (raced) return raced;
  }
  return parseFernetKey(created);
}

/** Reads `.session_key` whole (no trimming); null when missing or empty. */
export async function readSessionKey(dataDir: string): Promise<Buffer | null> {
  const bytes = await readOptional(path.join(dataDir, SESSION_KEY_FILE));
  return bytes === null || bytes.length === 0 ? null : bytes;
}

/** Returns the session key, creating a random one when `.session_key` is missing or empty. */
export async function loadOrCreateSessionKey(dataDir: string): Promise<Buffer> {
  return (await readSessionKey(dataDir)) ?? writeSessionKey(dataDir);
}

/**
 * Writes `.session_key` (default: 32 new random bytes, i.e. DOCSight's "rotate", which logs every
 * session out) and returns the key written.
 */
export async function writeSessionKey(dataDir: string, sessionKey: Uint8Array = randomBytes(SESSION_KEY_LENGTH)): Promise<Buffer> {
  const key = Buffer.from(sessionKey);
  await writeFileAtomic(path.join(dataDir, SESSION_KEY_FILE), key);
  return key;
}

/**
 * The `.auth_state` fingerprint: hex HMAC-SHA256 keyed with the session key over
 * `"docsight-admin-auth-state-v1\0"` + UTF-8 of the effective admin password value (the stored
 * hash string, or the plaintext when it comes from the environment).
 */
export function computeAuthState(sessionKey: Uint8Array, adminPasswordRepr: string): string {
  return createHmac('sha256', sessionKey).update(AUTH_STATE_CONTEXT).update(Buffer.from(adminPasswordRepr, 'utf8')).digest('hex');
}

/** Reads `.auth_state`; null when missing or not exactly 64 lowercase hex chars (as DOCSight). */
export async function readAuthState(dataDir: string): Promise<string | null> {
  const bytes = await readOptional(path.join(dataDir, AUTH_STATE_FILE));
  if (bytes === null) return null;
  const text = bytes.toString('latin1');
  return AUTH_STATE_PATTERN.test(text) ? text : null;
}

/** Writes `.auth_state` for this session key and admin password value; returns the fingerprint. */
export async function writeAuthState(dataDir: string, sessionKey: Uint8Array, adminPasswordRepr: string): Promise<string> {
  const fingerprint = computeAuthState(sessionKey, adminPasswordRepr);
  await writeFileAtomic(path.join(dataDir, AUTH_STATE_FILE), fingerprint);
  return fingerprint;
}

async function readOptional(filePath: string): Promise<Buffer | null> {
  try {
    return await readFile(filePath);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/**
 * What DOCSight does at app start (`_init_auth_state`) and before every auth check
 * (`_sync_auth_state`): make sure `.session_key` exists, and that `.auth_state` matches the current
 * admin password. A missing fingerprint is written; a mismatch (the password changed behind the
 * app's back, or the files came from another instance) rotates the session key first, which logs
 * every session out. Returns the session key in force.
 */
export async function syncAuthState(dataDir: string, adminPasswordRepr: string): Promise<{ sessionKey: Buffer; rotated: boolean }> {
  let sessionKey = await loadOrCreateSessionKey(dataDir);
  const stored = await readAuthState(dataDir);
  const expected = computeAuthState(sessionKey, adminPasswordRepr);
  if (stored === expected) return { sessionKey, rotated: false };
  const rotated = stored !== null;
  if (rotated) sessionKey = await writeSessionKey(dataDir);
  await writeAuthState(dataDir, sessionKey, adminPasswordRepr);
  return { sessionKey, rotated };
}
