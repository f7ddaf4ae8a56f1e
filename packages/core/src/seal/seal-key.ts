/**
 * The keys that seal and open archives, and how they are checked before any byte is read. Two
 * kinds, as age has them: X25519 (a recipient seals, its identity opens) and a passphrase (scrypt).
 */
import { Decrypter, Encrypter } from 'age-encryption';
import { LockerError } from '../errors.ts';

/**
 * What seals: one or more X25519 recipients (`age1…`), or one passphrase with its scrypt work factor
 * (log2 N, an integer from 10 to 20, default 18 as `age -e -p`; above 20 age-encryption refuses to
 * open, below 10 a passphrase is too cheap to guess).
 */
export type SealKey = { recipients: string[] } | { passphrase: string; workFactor?: number };

/** What opens: one or more identities (`AGE-SECRET-KEY-1…`), or one passphrase. */
export type OpenKey = { identities: string[] } | { passphrase: string };

/** age's default scrypt work factor (log2 N), which `age -e -p` also uses. */
export const DEFAULT_SCRYPT_WORK_FACTOR = 18;

// An X25519 recipient: `age1` and 58 bech32 characters. Hybrid post-quantum (`age1pq1…`) and tag
// recipients are left out on purpose: Debian's age 1.1.1 cannot open what they seal.
const X25519_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

function keyInvalid(message: string, cause?: unknown): LockerError {
  return new LockerError('SEAL_KEY_INVALID', message, cause === undefined ? {} : { cause });
}

/** An Encrypter for `key`; throws SEAL_KEY_INVALID for a malformed recipient or an empty passphrase. */
export function encrypterFor(key: SealKey): Encrypter {
  const encrypter = new Encrypter();
  if ('passphrase' in key) {
    if (key.passphrase.length === 0) throw keyInvalid('The passphrase is empty. Enter the passphrase that seals the backups.');
    const workFactor = key.workFactor ?? DEFAULT_SCRYPT_WORK_FACTOR;
    if (!Number.isInteger(workFactor) || workFactor < 10 || workFactor > 20) {
      throw keyInvalid(`The scrypt work factor must be a whole number from 10 to 20, not ${workFactor}.`);
    }
    encrypter.setPassphrase(key.passphrase);
    encrypter.setScryptWorkFactor(workFactor);
    return encrypter;
  }
  if (key.recipients.length === 0) throw keyInvalid('No recipient was given. A sealed backup needs an age recipient (age1…).');
  for (const recipient of key.recipients) {
    const trimmed = recipient.trim();
    if (!X25519_RECIPIENT.test(trimmed)) {
      throw keyInvalid('This is not an age X25519 recipient: it must start with age1 and be 62 characters long, as age-keygen prints it.');
    }
    try {
      encrypter.addRecipient(trimmed);
    } catch (error) {
      throw keyInvalid('This age recipient is damaged (its checksum does not match). Copy it again from the key file.', error);
    }
  }
  return encrypter;
}

/** A Decrypter for `key`; throws SEAL_KEY_INVALID for a malformed identity or an empty passphrase. */
export function decrypterFor(key: OpenKey): Decrypter {
  const decrypter = new Decrypter();
  if ('passphrase' in key) {
    if (key.passphrase.length === 0) throw keyInvalid('The passphrase is empty. Enter the passphrase the backup was sealed with.');
    decrypter.addPassphrase(key.passphrase);
    return decrypter;
  }
  if (key.identities.length === 0)
    throw keyInvalid('No identity was given. Opening a sealed backup needs its age identity (AGE-SECRET-KEY-1…).');
  for (const identity of key.identities) {
    try {
      decrypter.addIdentity(identity.trim());
    } catch (error) {
      throw keyInvalid('This is not a valid age identity: it must be the AGE-SECRET-KEY-1… line of the key file, copied whole.', error);
    }
  }
  return decrypter;
}
