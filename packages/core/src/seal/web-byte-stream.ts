import type { Readable } from 'node:stream';

/**
 * `source` (a Node byte stream) as the web ReadableStream age-encryption reads, pulled one chunk at a
 * time so memory stays flat (Node 20's `Readable.toWeb` reads ahead without limit). Errors of
 * `source` reach the web stream unchanged; cancelling it destroys `source`.
 */
export function webByteStream(source: Readable): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done === true) controller.close();
        else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.length));
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}
