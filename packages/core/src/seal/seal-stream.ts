import { Readable } from 'node:stream';
import { encrypterFor, type SealKey } from './seal-key.ts';

/** A sealed stream whose whole size is known before its first byte (a Content-Length, a progress total). */
export interface SizedSealedStream {
  stream: Readable;
  /** Bytes the sealed file will have: header, nonce, and the plain bytes with 16 bytes per 64 KiB chunk. */
  size: number;
}

/**
 * Seals `plain` (a plain archive's bytes) with age: the returned stream is the sealed file, which
 * `age -d` opens back to exactly `plain`. `key` is one or more X25519 recipients (`age1…`), or a
 * passphrase (scrypt, work factor `workFactor`, default 18 as `age -e -p`). Streams in 64 KiB chunks
 * with flat memory, pulling `plain` only as fast as the result is read.
 *
 * Throws SEAL_KEY_INVALID at once for a malformed recipient or an empty passphrase. Errors of
 * `plain` reach the returned stream unchanged; destroying the returned stream destroys `plain`.
 */
export function sealStream(plain: Readable, key: SealKey): Readable {
  const encrypter = encrypterFor(key);
  return Readable.from(
    (async function* () {
      try {
        const sealed = await encrypter.encrypt(Readable.toWeb(plain) as ReadableStream<Uint8Array>);
        yield* sealedChunks(sealed, plain);
      } finally {
        if (!plain.destroyed) plain.destroy();
      }
    })(),
    { objectMode: false },
  );
}

/**
 * sealStream for a `plain` of exactly `plainSize` bytes, resolving once the file key is wrapped
 * (the scrypt work of a passphrase is done by then) with the sealed size, which age's format fixes
 * in advance (age-encryption's `ReadableStreamWithSize`).
 */
export async function sealSizedStream(plain: Readable, plainSize: number, key: SealKey): Promise<SizedSealedStream> {
  const encrypter = encrypterFor(key);
  let sealed: ReadableStream<Uint8Array> & { size: (plainBytes: number) => number };
  try {
    sealed = await encrypter.encrypt(Readable.toWeb(plain) as ReadableStream<Uint8Array>);
  } catch (error) {
    plain.destroy();
    throw error;
  }
  return { stream: Readable.from(sealedChunks(sealed, plain), { objectMode: false }), size: sealed.size(plainSize) };
}

async function* sealedChunks(sealed: ReadableStream<Uint8Array>, plain: Readable): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of sealed) yield chunk;
  } finally {
    if (!plain.destroyed) plain.destroy();
  }
}
