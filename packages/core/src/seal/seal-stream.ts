import { Readable } from 'node:stream';
import { encrypterFor, type SealKey } from './seal-key.ts';

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
  async function* sealedChunks(): AsyncGenerator<Uint8Array> {
    try {
      const sealed = await encrypter.encrypt(Readable.toWeb(plain) as ReadableStream<Uint8Array>);
      for await (const chunk of sealed) yield chunk;
    } finally {
      if (!plain.destroyed) plain.destroy();
    }
  }
  return Readable.from(sealedChunks(), { objectMode: false });
}
