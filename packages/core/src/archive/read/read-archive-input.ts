/**
 * The compressed side of the archive reader: a byte counter for progress, a gate that checks the
 * gzip magic before anything is decompressed, plus the mapping of zlib and tar-stream
 * errors to LockerError codes.
 */
import { noteTransientBytes } from '../../memory/transient-buffers.ts';
import { Transform, type TransformCallback } from 'node:stream';
import { LockerError, errnoCode } from '../../errors.ts';

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const PROGRESS_STEP = 1024 * 1024;

/**
 * A pass-through that calls `onBytes(total)` at most once per MiB and once at the end: the bytes of
 * the file as it is read (sealed or plain), which is what a progress bar's total is measured in.
 */
export function createByteCounter(onBytes: (bytesDone: number) => void): Transform {
  let bytesDone = 0;
  let lastReported = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      bytesDone += chunk.length;
      noteTransientBytes(chunk.length);
      if (bytesDone - lastReported >= PROGRESS_STEP) {
        lastReported = bytesDone;
        onBytes(bytesDone);
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      onBytes(bytesDone);
      callback();
    },
  });
}

/**
 * A pass-through that fails with ARCHIVE_EMPTY on a 0-byte input and ARCHIVE_NOT_GZIP when the first
 * two bytes are not the gzip magic (DOCSight's words: `Invalid archive: not a gzip file`). It sees
 * the plain archive: a sealed one was opened before it (seal/sealed-input.ts).
 */
export function createGzipGate(): Transform {
  let bytesDone = 0;
  let magicChecked = false;
  const head: number[] = [];

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      bytesDone += chunk.length;
      if (!magicChecked) {
        for (let i = 0; i < chunk.length && head.length < GZIP_MAGIC.length; i += 1) head.push(chunk[i]!);
        if (head.length === GZIP_MAGIC.length) {
          magicChecked = true;
          if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
            callback(notGzip());
            return;
          }
        }
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (bytesDone === 0) {
        callback(new LockerError('ARCHIVE_EMPTY', 'Invalid archive: empty file'));
        return;
      }
      if (!magicChecked) {
        callback(notGzip());
        return;
      }
      callback();
    },
  });
}

function notGzip(): LockerError {
  return new LockerError('ARCHIVE_NOT_GZIP', 'Invalid archive: not a gzip file');
}

/**
 * Maps an error from the source, zlib or tar-stream to a LockerError. zlib checks each gzip
 * member's CRC32 and ISIZE trailer only at its end, so a corrupt trailer surfaces here even after
 * the tar inside has parsed completely. Errors of the source itself (an upload that broke off, an
 * unreadable file) are not a property of the archive and are returned unchanged.
 */
export function classifyInputError(error: unknown): Error {
  if (error instanceof LockerError) return error;
  const code = errnoCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'Z_BUF_ERROR') {
    return new LockerError('ARCHIVE_TRUNCATED', 'Invalid archive: compressed file ended before the end-of-stream marker was reached', {
      cause: error,
    });
  }
  if (code === 'Z_DATA_ERROR') {
    return new LockerError('ARCHIVE_CORRUPT', `Invalid archive: corrupt gzip data (${message})`, { cause: error });
  }
  if (code !== undefined && code.startsWith('Z_')) {
    return new LockerError('ARCHIVE_CORRUPT', `Invalid archive: gzip error (${message})`, { cause: error });
  }
  if (message === 'Unexpected end of data') {
    return new LockerError('ARCHIVE_TRUNCATED', 'Invalid archive: unexpected end of data', { cause: error });
  }
  if (message.startsWith('Invalid tar header') || message === 'Invalid header' || message === 'Header exceeds max size') {
    return new LockerError('ARCHIVE_INVALID_TAR', 'Invalid archive: invalid header', { cause: error });
  }
  if (code === 'ABORT_ERR') return new LockerError('CANCELLED', 'The archive read was cancelled', { cause: error });
  return error instanceof Error ? error : new Error(message);
}
