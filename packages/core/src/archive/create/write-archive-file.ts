/**
 * The last step of a backup: the archive is the gzip member of the meta (`head`), the spool of
 * compressed body members, and the gzip member of the end-of-archive marker (`tail`), in that order.
 */
import fs from 'node:fs';
import { noteTransientBytes } from '../../memory/transient-buffers.ts';

const COPY_BUFFER_SIZE = 1024 * 1024;

export interface ArchiveParts {
  head: Buffer;
  spoolPath: string;
  tail: Buffer;
}

/** The archive bytes for a stream: head, the spool in 1 MiB reads, tail. */
export async function* archiveChunks(parts: ArchiveParts): AsyncGenerator<Buffer> {
  const { head, spoolPath, tail } = parts;
  yield head;
  for await (const chunk of fs.createReadStream(spoolPath, { highWaterMark: COPY_BUFFER_SIZE })) {
    noteTransientBytes((chunk as Buffer).length);
    yield chunk as Buffer;
  }
  yield tail;
}

/**
 * Writes head + spool + tail to a new file and fsyncs it. The spool is copied through one reused
 * buffer: a read stream allocates a fresh buffer per read, and the garbage (the whole archive)
 * waits for V8's external-memory GC, which showed as +28 MB peak RSS for a 58 MB archive.
 */
export async function writeArchiveFile(
  parts: ArchiveParts,
  tempPath: string,
  options: { mode: number; signal?: AbortSignal | undefined; onBytes?: (bytes: number) => void },
): Promise<void> {
  const { signal } = options;
  const target = await fs.promises.open(tempPath, 'wx', options.mode);
  try {
    let written = 0;
    const write = async (bytes: Buffer): Promise<void> => {
      if (signal?.aborted) throw Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
      await writeAll(target, bytes);
      written += bytes.length;
      options.onBytes?.(written);
    };
    await write(parts.head);
    const spool = await fs.promises.open(parts.spoolPath, 'r');
    try {
      const buffer = Buffer.allocUnsafe(COPY_BUFFER_SIZE);
      for (;;) {
        const { bytesRead } = await spool.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        await write(buffer.subarray(0, bytesRead));
      }
    } finally {
      await spool.close();
    }
    await write(parts.tail);
    await target.sync();
  } finally {
    await target.close();
  }
}

/**
 * Writes `source` (a sealed archive, whose chunks age allocates anyway) to a new file and fsyncs it.
 */
export async function writeStreamFile(
  source: AsyncIterable<Uint8Array>,
  tempPath: string,
  options: { mode: number; signal?: AbortSignal | undefined; onBytes?: (bytes: number) => void },
): Promise<void> {
  const { signal } = options;
  const target = await fs.promises.open(tempPath, 'wx', options.mode);
  try {
    let written = 0;
    for await (const chunk of source) {
      if (signal?.aborted) throw Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      noteTransientBytes(bytes.length);
      await writeAll(target, bytes);
      written += bytes.length;
      options.onBytes?.(written);
    }
    await target.sync();
  } finally {
    await target.close();
  }
}

/** Writes all of `bytes` at the file position (a single write may be short). */
export async function writeAll(handle: fs.promises.FileHandle, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}
