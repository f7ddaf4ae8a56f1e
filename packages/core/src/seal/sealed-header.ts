/**
 * How a sealed archive is recognised from its first bytes. A sealed archive is an age file
 * (https://age-encryption.org/v1): the plain archive, byte for byte, encrypted in 64 KiB
 * authenticated chunks behind a text header whose first line is `age-encryption.org/v1`.
 *
 * Only age's binary form is a sealed archive here. The ASCII-armored form (`age -a`, PEM-like
 * `-----BEGIN AGE ENCRYPTED FILE-----`) is recognised so it can be refused with its own code: the
 * library decodes armor only as one whole string in memory, and backups are opened as streams.
 */

const textEncoder = new TextEncoder();

/** The first bytes of every binary age file: its version line. */
export const SEALED_MAGIC: Uint8Array = textEncoder.encode('age-encryption.org/v1\n');

/** The first bytes of an ASCII-armored age file (`age -a`), which is not accepted as a sealed archive. */
export const ARMORED_SEALED_MAGIC: Uint8Array = textEncoder.encode('-----BEGIN AGE ENCRYPTED FILE-----');

/** How many leading bytes to read so both `isSealedHeader` and `isArmoredSealedHeader` can decide. */
export const SEALED_HEADER_PROBE_BYTES = Math.max(SEALED_MAGIC.length, ARMORED_SEALED_MAGIC.length);

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((byte, index) => bytes[index] === byte);
}

/**
 * True when `firstBytes` (at least the first 22 bytes of a file) begin a binary age file, i.e. a
 * sealed archive. False for anything shorter, for a plain `.tar.gz`, and for the armored form (see
 * `isArmoredSealedHeader`).
 */
export function isSealedHeader(firstBytes: Uint8Array): boolean {
  return startsWith(firstBytes, SEALED_MAGIC);
}

/** True when `firstBytes` begin an ASCII-armored age file (`age -a`), which backups never are. */
export function isArmoredSealedHeader(firstBytes: Uint8Array): boolean {
  return startsWith(firstBytes, ARMORED_SEALED_MAGIC);
}

/** True when `bytes` is a proper beginning of the age version line: a file cut inside it. */
export function isSealedMagicPrefix(bytes: Uint8Array): boolean {
  return bytes.length < SEALED_MAGIC.length && bytes.every((byte, index) => SEALED_MAGIC[index] === byte);
}
