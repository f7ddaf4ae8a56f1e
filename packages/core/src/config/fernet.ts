/**
 * Fernet, as DOCSight uses it (Python `cryptography.fernet`) to encrypt secrets in `config.json`.
 *
 * Token layout (https://github.com/fernet/spec, Spec.md), then urlsafe base64 with `=` padding:
 *
 *   0x80 | uint64_be(unix seconds) | IV[16] | AES-128-CBC-PKCS7(plaintext) | HMAC-SHA256[32]
 *
 * The HMAC covers every byte before it. The 32-byte key is split: bytes 0-15 sign, 16-31 encrypt.
 * DOCSight decrypts without a TTL, so the timestamp is only checked when a caller asks for one.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LockerError } from '../errors.ts';

const VERSION = 0x80;
const HEADER_LENGTH = 1 + 8 + 16;
const HMAC_LENGTH = 32;
const BLOCK = 16;
/** cryptography's `_MAX_CLOCK_SKEW`: how far in the future a token may be dated when a TTL is set. */
const MAX_CLOCK_SKEW_SECONDS = 60;
/** Urlsafe base64 with the padding Python writes; anything else is not a token Python produced. */
const URLSAFE_BASE64 = /^[A-Za-z0-9_-]*={0,2}$/;

/** A parsed Fernet key: the text as stored in `.config_key`, and its two halves. */
export interface FernetKey {
  readonly text: string;
  readonly signingKey: Buffer;
  readonly encryptionKey: Buffer;
}

/** Options of {@link fernetEncrypt}; both exist for reproducible tokens in tests. */
export interface FernetEncryptOptions {
  /** Token time; default now. A number is unix seconds. */
  now?: Date | number;
  /** 16-byte IV; default random. */
  iv?: Uint8Array;
}

/** Options of {@link fernetDecrypt}. DOCSight sets neither. */
export interface FernetDecryptOptions {
  /** Reject tokens older than this many seconds (and dated over 60 s ahead); default no limit. */
  ttlSec?: number;
  /** Clock for the TTL check; default now. A number is unix seconds. */
  now?: Date | number;
}

/** A new random key as `Fernet.generate_key()` writes it: 44 chars of urlsafe base64. */
export function generateFernetKey(): string {
  return toUrlsafeBase64(randomBytes(32));
}

/**
 * Parses a key from its urlsafe-base64 text (surrounding whitespace ignored, as DOCSight's
 * `.strip()`). Throws CONFIG_KEY_INVALID unless it decodes to exactly 32 bytes.
 */
export function parseFernetKey(text: string): FernetKey {
  const trimmed = text.trim();
  const bytes = decodeUrlsafeBase64(trimmed);
  if (bytes === null || bytes.length !== 32) {
    throw new LockerError('CONFIG_KEY_INVALID', 'The encryption key is not a Fernet key (44 characters of urlsafe base64 for 32 bytes).');
  }
  return {
    text: trimmed,
    signingKey: bytes.subarray(0, 16),
    encryptionKey: bytes.subarray(16, 32),
  };
}

/** Encrypts `plaintext` (a string is UTF-8 encoded) into a Fernet token. */
export function fernetEncrypt(key: FernetKey | string, plaintext: string | Uint8Array, options: FernetEncryptOptions = {}): string {
  const { signingKey, encryptionKey } = typeof key === 'string' ? parseFernetKey(key) : key;
  const iv = options.iv === undefined ? randomBytes(BLOCK) : Buffer.from(options.iv);
  if (iv.length !== BLOCK) {
    throw new LockerError('INVALID_ARGUMENT', 'A Fernet IV must be 16 bytes.');
  }
  const header = Buffer.alloc(HEADER_LENGTH);
  header[0] = VERSION;
  header.writeBigUInt64BE(BigInt(unixSeconds(options.now)), 1);
  iv.copy(header, 9);
  const cipher = createCipheriv('aes-128-cbc', encryptionKey, iv);
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const body = Buffer.concat([header, cipher.update(data), cipher.final()]);
  const mac = createHmac('sha256', signingKey).update(body).digest();
  return toUrlsafeBase64(Buffer.concat([body, mac]));
}

/**
 * Decrypts a Fernet token and returns the plaintext bytes. Throws SECRET_UNDECRYPTABLE for any
 * token that is malformed, signed with another key, or (only with `ttlSec`) outside its time.
 */
export function fernetDecrypt(key: FernetKey | string, token: string, options: FernetDecryptOptions = {}): Buffer {
  const { signingKey, encryptionKey } = typeof key === 'string' ? parseFernetKey(key) : key;
  const data = decodeUrlsafeBase64(token);
  if (
    data === null ||
    data.length < HEADER_LENGTH + BLOCK + HMAC_LENGTH ||
    (data.length - HEADER_LENGTH - HMAC_LENGTH) % BLOCK !== 0 ||
    data[0] !== VERSION
  ) {
    throw invalidToken();
  }
  if (options.ttlSec !== undefined) {
    const timestamp = Number(data.readBigUInt64BE(1));
    const now = unixSeconds(options.now);
    if (timestamp + options.ttlSec < now || now + MAX_CLOCK_SKEW_SECONDS < timestamp) {
      throw invalidToken();
    }
  }
  const body = data.subarray(0, data.length - HMAC_LENGTH);
  const expected = createHmac('sha256', signingKey).update(body).digest();
  if (!timingSafeEqual(expected, data.subarray(data.length - HMAC_LENGTH))) {
    throw invalidToken();
  }
  const decipher = createDecipheriv('aes-128-cbc', encryptionKey, body.subarray(9, HEADER_LENGTH));
  try {
    return Buffer.concat([decipher.update(body.subarray(HEADER_LENGTH)), decipher.final()]);
  } catch (cause) {
    // A bad PKCS7 pad under a valid MAC means the token was made with a broken encryptor.
    throw invalidToken(cause);
  }
}

function invalidToken(cause?: unknown): LockerError {
  return new LockerError(
    'SECRET_UNDECRYPTABLE',
    'The value is not a Fernet token made with this encryption key.',
    cause === undefined ? {} : { cause },
  );
}

function unixSeconds(now: Date | number | undefined): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  const seconds = typeof now === 'number' ? now : now.getTime() / 1000;
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new LockerError('INVALID_ARGUMENT', 'A Fernet timestamp must be a time after 1970.');
  }
  return Math.floor(seconds);
}

function toUrlsafeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Strict decoding: only the urlsafe alphabet, padded to a multiple of 4; null otherwise. */
function decodeUrlsafeBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !URLSAFE_BASE64.test(text)) return null;
  return Buffer.from(text, 'base64url');
}
