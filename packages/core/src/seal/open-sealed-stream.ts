/**
 * Opening a sealed archive (an age v1 file), as one pass over the stream with flat memory:
 *
 *   version line → header → payload nonce → chunk, chunk, … → final chunk
 *
 * 1. The file must begin with `age-encryption.org/v1\n` (else SEAL_NOT_SEALED, or SEAL_ARMORED for
 *    `age -a` text, or SEAL_TRUNCATED when it ends inside that line).
 * 2. The header runs to its `--- MAC` line. age-encryption's `Decrypter.decryptHeader` (its API for
 *    this split) checks it and unwraps the file key with the identities or passphrase. When no key
 *    fits, the stanza kinds say which error helps: SEAL_WRONG_IDENTITY, SEAL_WRONG_PASSPHRASE,
 *    SEAL_NEEDS_PASSPHRASE, SEAL_NEEDS_IDENTITY. A changed byte inside a stanza looks like another
 *    person's stanza to age too, so it reports the wrong key. A wrong MAC or a malformed header is
 *    SEAL_DAMAGED (so is a scrypt work factor above 20, which age-encryption refuses to spend and
 *    neither `age -e -p` nor `sealStream` writes); a header cut short is SEAL_TRUNCATED.
 * 3. A 16-byte nonce, then the payload: ChaCha20-Poly1305 chunks of 64 KiB plain + 16 bytes tag,
 *    the nonce an 11-byte big-endian counter and a last-chunk flag (age's STREAM). The chunks are
 *    decrypted here (with node:crypto, see decryptChunk) rather than by age-encryption's stream, because its TransformStream cannot say
 *    which chunk failed, and that is the difference between a damaged file and a cut one:
 *    - a chunk before the last fails: SEAL_DAMAGED (only authenticated chunks before it were passed on);
 *    - the last chunk fails: SEAL_TRUNCATED. When it is a whole chunk that authenticates as a middle
 *      one, the file was certainly cut at a chunk boundary; otherwise it was cut inside a chunk or
 *      its last chunk was changed, which nobody without the missing bytes can tell apart, and the
 *      message says both.
 */
import { Readable } from 'node:stream';
import { createDecipheriv } from 'node:crypto';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Decrypter } from 'age-encryption';
import { noteTransientBytes } from '../memory/transient-buffers.ts';
import { ByteReader } from './byte-reader.ts';
import { decrypterFor, type OpenKey } from './seal-key.ts';
import { sealError, type SealFailureCode } from './seal-error.ts';
import { isArmoredSealedHeader, isSealedHeader, isSealedMagicPrefix, SEALED_HEADER_PROBE_BYTES } from './sealed-header.ts';

const CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES;
const NONCE_BYTES = 16;
/** Buffers allocated per chunk: the reader's concatenation and copy of it, and the plain chunk. */
const TRANSIENT_BYTES_PER_CHUNK = 3 * SEALED_CHUNK_BYTES;
/** Longer than any header age or this product writes (one stanza is about 100 bytes). */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Opens a sealed archive: the returned stream is the plain archive's bytes. `key` is one or more
 * identities (`AGE-SECRET-KEY-1…`) or the passphrase (any scrypt work factor up to 20, age's default
 * 18 included). Streams with flat memory; each 64 KiB chunk is authenticated before it is passed on
 * and the end of the file is authenticated too, so a consumer trusts the data only once the stream
 * ended without an error.
 *
 * Throws SEAL_KEY_INVALID at once for a malformed identity or an empty passphrase. The returned stream
 * fails with a LockerError coded as the file comment says; errors of `sealed` itself reach it
 * unchanged. Destroying the returned stream destroys `sealed`.
 */
export function openSealedStream(sealed: Readable, key: OpenKey): Readable {
  const decrypter = decrypterFor(key);
  const keyKind = 'passphrase' in key ? 'passphrase' : 'identity';
  async function* plainChunks(): AsyncGenerator<Uint8Array> {
    const reader = new ByteReader(sealed);
    try {
      const header = await readHeader(reader);
      const fileKey = await unwrapFileKey(decrypter, header, keyKind);
      await reader.fill(NONCE_BYTES);
      if (reader.length < NONCE_BYTES) throw sealError('SEAL_TRUNCATED', 'payload nonce');
      const streamKey = hkdf(sha256, fileKey, reader.take(NONCE_BYTES), new TextEncoder().encode('payload'), 32);
      yield* payloadChunks(reader, streamKey);
    } finally {
      await reader.close();
    }
  }
  return Readable.from(plainChunks(), { objectMode: false });
}

async function readHeader(reader: ByteReader): Promise<Buffer> {
  await reader.fill(SEALED_HEADER_PROBE_BYTES);
  const start = reader.peek(SEALED_HEADER_PROBE_BYTES);
  if (!isSealedHeader(start)) {
    if (isArmoredSealedHeader(start)) throw sealError('SEAL_ARMORED', 'version line');
    if (reader.ended && isSealedMagicPrefix(start)) throw sealError('SEAL_TRUNCATED', 'version line');
    throw sealError('SEAL_NOT_SEALED', 'version line');
  }
  for (;;) {
    const text = reader.peek(MAX_HEADER_BYTES).toString('latin1');
    const macLine = text.indexOf('\n--- ');
    const macEnd = macLine === -1 ? -1 : text.indexOf('\n', macLine + 1);
    if (macEnd !== -1) return reader.take(macEnd + 1);
    if (reader.ended) throw sealError('SEAL_TRUNCATED', 'header');
    if (reader.length >= MAX_HEADER_BYTES) throw sealError('SEAL_DAMAGED', 'header');
    await reader.fill(reader.length + 1);
  }
}

/** The stanza kinds (`X25519`, `scrypt`, …) a header names. */
function stanzaKinds(header: Buffer): string[] {
  return header
    .toString('latin1')
    .split('\n')
    .filter((line) => line.startsWith('-> '))
    .map((line) => line.split(' ')[1] ?? '');
}

async function unwrapFileKey(decrypter: Decrypter, header: Buffer, keyKind: 'identity' | 'passphrase'): Promise<Uint8Array> {
  try {
    return await decrypter.decryptHeader(header);
  } catch (error) {
    // age-encryption 0.3.1 throws plain Errors; this message is the one that means "no key fits".
    if (!(error instanceof Error && error.message.startsWith('no identity matched'))) throw sealError('SEAL_DAMAGED', 'header', error);
    const byPassphrase = stanzaKinds(header).includes('scrypt');
    let code: SealFailureCode;
    if (keyKind === 'passphrase') code = byPassphrase ? 'SEAL_WRONG_PASSPHRASE' : 'SEAL_NEEDS_IDENTITY';
    else code = byPassphrase ? 'SEAL_NEEDS_PASSPHRASE' : 'SEAL_WRONG_IDENTITY';
    throw sealError(code, 'header', error);
  }
}

function chunkNonce(index: number, last: boolean): Uint8Array {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setBigUint64(3, BigInt(index));
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/**
 * One chunk through node:crypto's ChaCha20-Poly1305 (OpenSSL): 1.4 GB/s here against 144 MB/s for
 * @noble/ciphers' pure-JS one, which would have added a tenth to opening a 1 GB data directory's
 * backup. Null when the tag does not authenticate.
 */
function decryptChunk(streamKey: Uint8Array, index: number, last: boolean, sealedChunk: Uint8Array): Uint8Array | null {
  if (sealedChunk.length < TAG_BYTES) return null;
  const decipher = createDecipheriv('chacha20-poly1305', streamKey, chunkNonce(index, last), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealedChunk.subarray(sealedChunk.length - TAG_BYTES));
  try {
    const plain = decipher.update(sealedChunk.subarray(0, sealedChunk.length - TAG_BYTES));
    decipher.final();
    return plain;
  } catch {
    return null;
  }
}

async function* payloadChunks(reader: ByteReader, streamKey: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let index = 0; ; index++) {
    // One byte past a whole chunk tells a middle chunk from the last one.
    await reader.fill(SEALED_CHUNK_BYTES + 1);
    if (reader.length > SEALED_CHUNK_BYTES) {
      const plain = decryptChunk(streamKey, index, false, reader.take(SEALED_CHUNK_BYTES));
      if (plain === null) throw sealError('SEAL_DAMAGED', `chunk ${index}`);
      // The reader's copies and the plain chunk are garbage soon: counted, so they are scavenged
      // as the plain archive's own buffers are (memory/transient-buffers.ts), not left to pile up.
      noteTransientBytes(TRANSIENT_BYTES_PER_CHUNK);
      yield plain;
      continue;
    }
    const lastChunk = reader.take(SEALED_CHUNK_BYTES);
    if (lastChunk.length < TAG_BYTES) throw sealError('SEAL_TRUNCATED', `chunk ${index}`);
    const plain = decryptChunk(streamKey, index, true, lastChunk);
    if (plain === null) {
      const cutAtBoundary = lastChunk.length === SEALED_CHUNK_BYTES && decryptChunk(streamKey, index, false, lastChunk) !== null;
      throw sealError('SEAL_TRUNCATED', cutAtBoundary ? `cut after chunk ${index}` : `last chunk ${index}`);
    }
    // age allows an empty last chunk only as the whole payload of an empty file.
    if (plain.length === 0 && index > 0) throw sealError('SEAL_DAMAGED', `empty last chunk ${index}`);
    yield plain;
    return;
  }
}
