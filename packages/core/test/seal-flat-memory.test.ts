/**
 * Sealing and opening stream with flat memory: 256 MiB generated on the fly go through
 * sealStream → openSealedStream and come out identical, while the process holds no more than a few
 * chunks at a time (sampled RSS and ArrayBuffer memory stay bounded, far below the stream's size).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect, it } from 'vitest';
import { generateSealIdentity } from '../src/seal/generate-seal-identity.ts';
import { openSealedStream } from '../src/seal/open-sealed-stream.ts';
import { sealStream } from '../src/seal/seal-stream.ts';

const TOTAL_BYTES = 256 * 1024 * 1024;
// Odd-sized pieces, so chunk boundaries of the source and of age never line up.
const PIECE_BYTES = 1024 * 1024 + 7;
const MiB = 1024 * 1024;

it('seals and opens 256 MiB with flat memory, byte for byte', async () => {
  const { identity, recipient } = await generateSealIdentity();
  const sent = createHash('sha256');
  const received = createHash('sha256');
  let receivedBytes = 0;

  async function* plainPieces(): AsyncGenerator<Buffer> {
    for (let left = TOTAL_BYTES; left > 0; left -= PIECE_BYTES) {
      const piece = randomBytes(Math.min(PIECE_BYTES, left));
      sent.update(piece);
      yield piece;
    }
  }

  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakArrayBuffers = before.arrayBuffers;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakArrayBuffers = Math.max(peakArrayBuffers, now.arrayBuffers);
  }, 5);
  try {
    const sealed = sealStream(Readable.from(plainPieces(), { objectMode: false }), { recipients: [recipient] });
    await pipeline(
      openSealedStream(sealed, { identities: [identity] }),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          received.update(chunk);
          receivedBytes += chunk.length;
          done();
        },
      }),
    );
  } finally {
    clearInterval(sampler);
  }

  expect(receivedBytes).toBe(TOTAL_BYTES);
  expect(received.digest('hex')).toBe(sent.digest('hex'));
  const rssGrowth = (peakRss - before.rss) / MiB;
  const arrayBufferGrowth = (peakArrayBuffers - before.arrayBuffers) / MiB;
  console.log(`seal+open 256 MiB: peak RSS +${rssGrowth.toFixed(1)} MiB, peak ArrayBuffers +${arrayBufferGrowth.toFixed(1)} MiB`);
  // A buffered whole would be 256 MiB or more; a few 1 MiB pieces and 64 KiB chunks in flight are not.
  expect(arrayBufferGrowth).toBeLessThan(32);
  expect(rssGrowth).toBeLessThan(96);
});
