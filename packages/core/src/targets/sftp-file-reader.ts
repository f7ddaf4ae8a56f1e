/**
 * Reads an SFTP file with several READ requests in flight, in order, instead of one at a time as
 * ssh2's createReadStream does (one request per round trip, a few MB/s on a busy machine). A
 * generator behind Readable.from: the consumer's pace pulls it, so at most `depth` requests of
 * `chunkBytes` are buffered at any time. The handle is opened here and closed when the stream ends
 * or is destroyed. A file that ends before `size` bytes yields fewer bytes; the caller counts them.
 */
import { Readable } from 'node:stream';
import type { SftpSession } from './sftp-connection.ts';

/** Reads `length` bytes at `offset`, following short reads; a shorter buffer means the file ended. */
async function readFully(session: SftpSession, handle: Buffer, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const bytesRead = await session.call<number>((sftp, done) =>
      sftp.read(handle, buffer, filled, length - filled, offset + filled, (error, count) => done(error, count)),
    );
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

async function* readChunks(session: SftpSession, handle: Buffer, size: number, chunkBytes: number, depth: number): AsyncGenerator<Buffer> {
  const queue: Promise<Buffer>[] = [];
  let offset = 0;
  const refill = (): void => {
    while (queue.length < depth && offset < size) {
      const read = readFully(session, handle, offset, Math.min(chunkBytes, size - offset));
      // Awaited in turn below; until then a failure must not count as unhandled.
      void read.catch(() => undefined);
      queue.push(read);
      offset += chunkBytes;
    }
  };
  try {
    refill();
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const chunk = await next;
      if (chunk.length === 0) return;
      refill();
      yield chunk;
    }
  } finally {
    await session.call<unknown>((sftp, done) => sftp.close(handle, (error) => done(error, undefined))).catch(() => undefined);
  }
}

/** The first `size` bytes of the file open as `handle`, as a stream with several reads in flight. */
export function sftpFileReader(
  session: SftpSession,
  handle: Buffer,
  size: number,
  options: { chunkBytes?: number; depth?: number } = {},
): Readable {
  return Readable.from(readChunks(session, handle, size, options.chunkBytes ?? 64 * 1024, options.depth ?? 16), { objectMode: false });
}
