/**
 * Reading an encrypted config value the way DOCSight's `_decrypt` does: there is no marker that a
 * value is encrypted, so every read tries Fernet and falls back to the stored value unchanged
 * (plaintext from before encryption existed, or a token made with a lost key).
 */
import type { JsonValue } from './config-schema.ts';
import { fernetDecrypt, type FernetKey } from './fernet.ts';
import { readConfigKey } from './key-files.ts';
import { pythonTruthy } from './python-truthy.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decrypts `value` with `key`. Falsy values (null, "", 0, …) read as "" (DOCSight's
 * `if not value`); a value that is not a token of this key, or whose plaintext is not UTF-8,
 * is returned unchanged; with no key at all every value passes through.
 */
export function decryptSecret(key: FernetKey | null, value: JsonValue | undefined): JsonValue {
  if (value === undefined || !pythonTruthy(value)) return '';
  if (key === null || typeof value !== 'string') return value;
  try {
    return strictUtf8.decode(fernetDecrypt(key, value));
  } catch {
    return value;
  }
}

/**
 * {@link decryptSecret} with the key given directly or read from `dataDir`'s `.config_key`
 * (never created here: a missing key means nothing can decrypt, so values pass through).
 * Throws CONFIG_KEY_INVALID when the key file exists but is broken.
 */
export async function readSecret(source: string | FernetKey, value: JsonValue | undefined): Promise<JsonValue> {
  const key = typeof source === 'string' ? await readConfigKey(source) : source;
  return decryptSecret(key, value);
}
