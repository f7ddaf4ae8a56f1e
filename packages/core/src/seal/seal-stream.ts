import { Readable } from 'node:stream';
import { ageFileSize, sealPayload, startAgeFile } from './age-writer.ts';
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
 * with flat memory, pulling `plain` only as fast as the result is read (age-writer.ts).
 *
 * Throws SEAL_KEY_INVALID at once for a malformed recipient or an empty passphrase. Errors of
 * `plain` reach the returned stream unchanged; destroying the returned stream destroys `plain`.
 */
export function sealStream(plain: Readable, key: SealKey): Readable {
  encrypterFor(key);
  return Readable.from(
    (async function* () {
      try {
        const { head, streamKey } = await startAgeFile(key);
        yield head;
        yield* sealPayload(plain, streamKey);
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
 * in advance.
 */
export async function sealSizedStream(plain: Readable, plainSize: number, key: SealKey): Promise<SizedSealedStream> {
  encrypterFor(key);
  let start: Awaited<ReturnType<typeof startAgeFile>>;
  try {
    start = await startAgeFile(key);
  } catch (error) {
    plain.destroy();
    throw error;
  }
  const stream = Readable.from(
    (async function* () {
      try {
        yield start.head;
        yield* sealPayload(plain, start.streamKey);
      } finally {
        if (!plain.destroyed) plain.destroy();
      }
    })(),
    { objectMode: false },
  );
  return { stream, size: ageFileSize(start.head.length, plainSize) };
}
