/** Sealing and opening whole buffers in tests, and the byte offsets of an age file's parts. */
import { Readable } from 'node:stream';
import { openSealedStream } from '../../src/seal/open-sealed-stream.ts';
import { sealStream } from '../../src/seal/seal-stream.ts';
import type { OpenKey, SealKey } from '../../src/seal/seal-key.ts';

/** A sealed chunk on disk: 64 KiB of plain bytes and a 16-byte tag. */
export const SEALED_CHUNK_BYTES = 64 * 1024 + 16;

/** `plain` sealed with `key`, as one buffer. */
export async function sealBytes(plain: Uint8Array, key: SealKey): Promise<Buffer> {
  return Buffer.concat(await sealStream(Readable.from([Buffer.from(plain)]), key).toArray());
}

/** The plain bytes `sealed` opens to with `key`; rejects as the stream fails. */
export async function openBytes(sealed: Uint8Array, key: OpenKey): Promise<Buffer> {
  return Buffer.concat(await openSealedStream(Readable.from([Buffer.from(sealed)]), key).toArray());
}

/** Where an age file's header ends (after its `--- MAC` line) and where payload chunk `k` starts. */
export function sealedLayout(sealed: Uint8Array): { headerEnd: number; macStart: number; chunkStart: (k: number) => number } {
  const text = Buffer.from(sealed).toString('latin1');
  const macLine = text.indexOf('\n--- ');
  const headerEnd = text.indexOf('\n', macLine + 1) + 1;
  return { headerEnd, macStart: macLine + 5, chunkStart: (k) => headerEnd + 16 + k * SEALED_CHUNK_BYTES };
}

/** A copy of `bytes` with the byte at `offset` flipped. */
export function flipByte(bytes: Uint8Array, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] = (copy[offset] ?? 0) ^ 0x01;
  return copy;
}
