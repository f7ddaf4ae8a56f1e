/**
 * The keys that seal and open archives, and how they are checked before any byte is read. Two
 * kinds, as age has them: X25519 (a recipient seals, its identity opens) and a passphrase (scrypt).
 */
import { createDecipheriv } from 'node:crypto';
import { Decrypter, Encrypter, type Identity, type Stanza } from 'age-encryption';
import { scryptWrapKey } from './scrypt-key.ts';
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
export const X25519_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

function keyInvalid(message: string, cause?: unknown): LockerError {
  return new LockerError('SEAL_KEY_INVALID', message, cause === undefined ? {} : { cause });
}

/**
 * An Encrypter for `key`; throws SEAL_KEY_INVALID for a malformed recipient or an empty passphrase.
 * Sealing writes the file itself (age-writer.ts); this is the check of its key, by age's own parser.
 */
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
    decrypter.addIdentity(new ThreadPoolScryptIdentity(key.passphrase));
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

/**
 * age-encryption's passphrase identity (ScryptIdentity, the same checks in the same order), with
 * the scrypt run by node in the libuv thread pool: age-encryption's pure-JS scrypt is synchronous
 * and held the event loop for about 3 s per passphrase-sealed backup opened at work factor 18.
 */
class ThreadPoolScryptIdentity implements Identity {
  constructor(private readonly passphrase: string) {}

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    for (const stanza of stanzas) {
      if (stanza.args.length < 1 || stanza.args[0] !== 'scrypt') continue;
      if (stanzas.length !== 1) throw new Error('scrypt recipient is not the only one in the header');
      if (stanza.args.length !== 3 || !/^[1-9][0-9]*$/.test(stanza.args[2]!)) throw new Error('invalid scrypt stanza');
      const salt = Buffer.from(stanza.args[1]!, 'base64');
      if (salt.length !== 16 || Buffer.from(salt).toString('base64').replace(/=+$/, '') !== stanza.args[1]) {
        throw new Error('invalid scrypt stanza');
      }
      const workFactor = Number(stanza.args[2]);
      if (workFactor > 20) throw new Error('scrypt work factor is too high');
      const fileKey = openFileKey(stanza.body, await scryptWrapKey(this.passphrase, salt, workFactor));
      if (fileKey !== null) return fileKey;
    }
    return null;
  }
}

/** The 16-byte file key in a stanza body (ChaCha20-Poly1305 under `key`, zero nonce), or null when it does not open. */
function openFileKey(body: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (body.length !== 32) throw new Error('invalid stanza');
  const decipher = createDecipheriv('chacha20-poly1305', key, Buffer.alloc(12), { authTagLength: 16 });
  decipher.setAuthTag(body.subarray(16));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, 16)), decipher.final()]);
  } catch {
    return null;
  }
}
