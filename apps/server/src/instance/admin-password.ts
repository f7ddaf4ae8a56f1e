/**
 * The admin password as DOCSight stores it: normally a werkzeug hash in `admin_password`; legacy
 * installs may hold plaintext or a Fernet token (decrypted on read). An empty value means "no admin
 * password": everything is open.
 */
import { timingSafeEqual } from 'node:crypto';
import { checkPasswordHash, decryptSecret, isPasswordHash, type ConfigRecord, type FernetKey } from '@evidence-locker/core';

/**
 * DOCSight's `admin_password_repr`: the effective stored value (the hash string, or a legacy
 * plaintext after Fernet decryption), "" when no admin password is set.
 */
export function adminPasswordRepr(config: ConfigRecord, configKey: FernetKey | null): string {
  const value = config['admin_password'];
  if (typeof value !== 'string' || value === '') return '';
  if (isPasswordHash(value)) return value;
  const decrypted = decryptSecret(configKey, value);
  return typeof decrypted === 'string' ? decrypted : value;
}

/** True when `password` is the admin password whose stored value is `repr`. */
export async function checkAdminPassword(repr: string, password: string): Promise<boolean> {
  if (repr === '') return false;
  if (isPasswordHash(repr)) return checkPasswordHash(repr, password);
  // Legacy plaintext; constant-time so the comparison does not leak a matching prefix.
  const stored = Buffer.from(repr, 'utf8');
  const given = Buffer.from(password, 'utf8');
  return stored.length === given.length && timingSafeEqual(stored, given);
}
