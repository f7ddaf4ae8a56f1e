/**
 * werkzeug's password hashes, the format DOCSight stores `admin_password` in:
 * `METHOD$SALT$HEX`, where METHOD is `scrypt:N:r:p` or `pbkdf2:HASH:ITERATIONS` (shorter forms use
 * werkzeug's defaults) and the salt is used as its UTF-8 bytes. All work runs on libuv's thread pool
 * (async scrypt/pbkdf2) so a server's event loop stays free.
 */
import { pbkdf2, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { pythonInt } from './python-int.ts';

/** werkzeug's `SALT_CHARS`: ASCII letters and digits. */
const SALT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SALT_LENGTH = 16;
/** werkzeug 3 defaults for a new hash. */
const SCRYPT_DEFAULT = { n: 2 ** 15, r: 8, p: 1 } as const;
const SCRYPT_KEY_LENGTH = 64;
/** werkzeug 3.1's default when a pbkdf2 method names no iteration count. */
const PBKDF2_DEFAULT_ITERATIONS = 1_000_000;
/**
 * Upper bounds for parameters read from a stored hash. A restored archive may come from anyone;
 * without a cap one crafted hash would make each login allocate gigabytes or spin for minutes.
 * werkzeug's defaults (32 MiB, 1M iterations) stay far below.
 */
const SCRYPT_MAX_MEMORY = 256 * 1024 * 1024;
const PBKDF2_MAX_ITERATIONS = 10_000_000;
/** Python hashlib names → Node digest names, with their output sizes (pbkdf2_hmac's dklen). */
const PBKDF2_DIGESTS: Record<string, { node: string; length: number }> = {
  md5: { node: 'md5', length: 16 },
  sha1: { node: 'sha1', length: 20 },
  sha224: { node: 'sha224', length: 28 },
  sha256: { node: 'sha256', length: 32 },
  sha384: { node: 'sha384', length: 48 },
  sha512: { node: 'sha512', length: 64 },
  sha3_256: { node: 'sha3-256', length: 32 },
  sha3_512: { node: 'sha3-512', length: 64 },
};

/** True when `value` looks like a werkzeug hash (DOCSight's test before re-hashing on save). */
export function isPasswordHash(value: string): boolean {
  return value.startsWith('scrypt:') || value.startsWith('pbkdf2:');
}

/**
 * werkzeug's `check_password_hash`: true when `password` matches `passwordHash`. Malformed hashes,
 * unknown methods and parameters over the safety caps give false instead of an exception.
 */
export async function checkPasswordHash(passwordHash: string, password: string): Promise<boolean> {
  const first = passwordHash.indexOf('$');
  const second = first < 0 ? -1 : passwordHash.indexOf('$', first + 1);
  if (second < 0) return false;
  const method = passwordHash.slice(0, first);
  const salt = Buffer.from(passwordHash.slice(first + 1, second), 'utf8');
  const stored = Buffer.from(passwordHash.slice(second + 1), 'utf8');
  const computed = await deriveHex(method, salt, Buffer.from(password, 'utf8'));
  if (computed === undefined) return false;
  const expected = Buffer.from(computed, 'ascii');
  return expected.length === stored.length && timingSafeEqual(expected, stored);
}

/** A new hash in werkzeug 3's default format: `scrypt:32768:8:1$<16-char salt>$<128 hex>`. */
export async function hashPassword(password: string): Promise<string> {
  let salt = '';
  for (let i = 0; i < SALT_LENGTH; i++) salt += SALT_CHARS[randomInt(SALT_CHARS.length)];
  const { n, r, p } = SCRYPT_DEFAULT;
  const method = `scrypt:${n}:${r}:${p}`;
  const hex = await deriveHex(method, Buffer.from(salt, 'utf8'), Buffer.from(password, 'utf8'));
  if (hex === undefined) throw new Error('scrypt defaults rejected'); // unreachable: fixed params
  return `${method}$${salt}$${hex}`;
}

/** werkzeug's `_hash_internal`; undefined where werkzeug would raise. */
async function deriveHex(method: string, salt: Buffer, password: Buffer): Promise<string | undefined> {
  const [name, ...args] = method.split(':');
  if (name === 'scrypt') {
    const { n: dn, r: dr, p: dp } = SCRYPT_DEFAULT;
    const params = args.length === 0 ? [dn, dr, dp] : args.map(pythonInt);
    if (params.length !== 3) return undefined;
    const [n, r, p] = params;
    if (n === undefined || r === undefined || p === undefined || !isScryptCostAllowed(n, r, p)) {
      return undefined;
    }
    // werkzeug allows 132*n*r*p; OpenSSL also counts 128*r*(p+2) bytes of scratch, hence the margin.
    const maxmem = 132 * n * r * p + 1024 * 1024;
    return scryptHex(password, salt, { N: n, r, p, maxmem });
  }
  if (name === 'pbkdf2') {
    if (args.length > 2) return undefined;
    const digest = PBKDF2_DIGESTS[args[0] ?? 'sha256'];
    const iterations = args.length === 2 ? pythonInt(args[1]) : PBKDF2_DEFAULT_ITERATIONS;
    if (!digest || iterations === undefined) return undefined;
    if (iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) return undefined;
    return new Promise((resolve) => {
      pbkdf2(password, salt, iterations, digest.length, digest.node, (error, key) => resolve(error ? undefined : key.toString('hex')));
    });
  }
  return undefined;
}

function isScryptCostAllowed(n: number, r: number, p: number): boolean {
  // scrypt needs N a power of two above 1, and r, p positive.
  if (n < 2 || (n & (n - 1)) !== 0 || r < 1 || p < 1) return false;
  return 128 * n * r * p <= SCRYPT_MAX_MEMORY;
}

function scryptHex(password: Buffer, salt: Buffer, options: ScryptOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    scrypt(password, salt, SCRYPT_KEY_LENGTH, options, (error, key) => resolve(error ? undefined : key.toString('hex')));
  });
}
