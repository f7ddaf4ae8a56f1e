/**
 * Receives one uploaded archive in a single pass: every chunk of the request body is written to the
 * staging file and fed to core's prepareRestore at the same time (a tee), so the file is never
 * read back to be checked, and the whole archive is never held in memory
 * (docs/docsight-compatibility.md, D1 to D3).
 * prepareRestore validates the archive as validateArchive does, and also stages its members beside
 * the live files and runs the databases' integrity check: the restore the user then confirms only
 * publishes, instead of reading the archive a second time. The archive file stays as well, for a
 * restore after the staged files were lost (a restart sweeps them).
 *
 * The size cap is enforced while streaming (the Content-Length check happens earlier, in the
 * route). Back-pressure: a chunk goes on to the file only once the validator took it, so neither
 * side buffers more than a stream's high-water mark. The body itself is never destroyed here (see
 * below), so the caller can still answer on the same connection. When the validator rejects early (not gzip,
 * an unsafe member name in the first header) the upload stops at once instead of reading gigabytes
 * that are known to be useless.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  LockerError,
  errnoCode,
  isDiskFullErrno,
  archiveValidationOf,
  discardPreparedRestore,
  prepareRestore,
  type ArchiveValidation,
  type PreparedRestore,
  type ReadArchiveLimits,
} from '@evidence-locker/core';

/** Options of {@link receiveUpload}. */
export interface ReceiveUploadOptions {
  /** Absolute path of the staging file to create (must not exist; mode 0600). */
  path: string;
  /** Most bytes accepted; one byte more fails with ARCHIVE_TOO_LARGE. */
  maxBytes: number;
  /** Caps for the archive's contents (default: core's). */
  limits?: Partial<ReadArchiveLimits>;
  /** Name prefix of the members staged beside the staging file (core's PREPARED_PREFIX + an id). */
  stagingPrefix: string;
  /** Aborting it (the client went away, the server closes) stops the upload with CANCELLED. */
  signal?: AbortSignal;
}

/** What a complete, valid upload is. */
export interface ReceivedUpload {
  /** Bytes written to the staging file. */
  size: number;
  validation: ArchiveValidation;
  /** The archive's members, staged and verified in the staging file's directory. */
  prepared: PreparedRestore;
}

/** The error for an upload that passes `maxBytes`. */
export function uploadTooLarge(maxBytes: number): LockerError {
  return new LockerError('ARCHIVE_TOO_LARGE', `The upload is larger than the limit of ${formatBytes(maxBytes)}.`, {
    details: { limit: maxBytes },
  });
}

/**
 * Streams `body` into `options.path` while validating it. Resolves when the file is complete and
 * the archive valid; otherwise removes the file and throws the validator's LockerError (or
 * ARCHIVE_TOO_LARGE, CANCELLED, DISK_FULL).
 */
export async function receiveUpload(body: Readable, options: ReceiveUploadOptions): Promise<ReceivedUpload> {
  const { path, maxBytes } = options;
  const stop = new AbortController();
  const onCallerAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const toValidator = new PassThrough();
  const validating = prepareRestore({
    source: toValidator,
    dataDir: dirname(path),
    stagingPrefix: options.stagingPrefix,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  let validationFailed = false;
  // An early verdict stops the upload; the verdict itself is read below.
  validating.catch(() => {
    validationFailed = true;
    stop.abort();
  });

  let size = 0;
  let tooLarge = false;
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        callback(uploadTooLarge(maxBytes));
        return;
      }
      if (toValidator.destroyed || toValidator.write(chunk)) {
        callback(null, chunk);
        return;
      }
      waitForDrain(toValidator).then(() => callback(null, chunk), callback);
    },
    flush(callback) {
      toValidator.end();
      callback();
    },
  });

  // The body is piped rather than put into the pipeline: a pipeline destroys its streams on error,
  // and destroying a request's stream destroys its socket, so the client would never see the
  // answer saying what was wrong. On failure the caller decides what happens to the rest.
  const writing = pipeline(tee, createWriteStream(path, { flags: 'wx', mode: 0o600 }), { signal: stop.signal });
  const onBodyError = (error: Error): void => {
    tee.destroy(error);
  };
  body.on('error', onBodyError);
  body.pipe(tee);
  try {
    try {
      await writing;
    } catch (error) {
      body.unpipe(tee);
      toValidator.destroy();
      if (tooLarge) throw uploadTooLarge(maxBytes);
      if (validationFailed) await validating; // throws the validator's specific error
      if (options.signal?.aborted === true) {
        throw new LockerError('CANCELLED', 'The upload was interrupted.', { cause: error });
      }
      if (isDiskFullErrno(errnoCode(error))) {
        throw new LockerError(
          'DISK_FULL',
          `The disk filled up while the upload was written to ${dirname(path)}; nothing was changed. Free up space there and upload the file again.`,
          { cause: error, details: { dir: dirname(path) } },
        );
      }
      throw error;
    }
    const prepared = await validating;
    return { size, validation: archiveValidationOf(prepared), prepared };
  } catch (error) {
    await rm(path, { force: true });
    // The members may all be staged already when writing the file is what failed.
    const prepared = await validating.catch(() => undefined);
    if (prepared !== undefined) await discardPreparedRestore(prepared);
    throw error;
  } finally {
    body.off('error', onBodyError);
    options.signal?.removeEventListener('abort', onCallerAbort);
    validating.catch(() => undefined);
  }
}

/** Resolves on 'drain', or on 'close' (the validator stopped reading; its verdict comes separately). */
function waitForDrain(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && Number.isInteger(value / 1024)) {
    value /= 1024;
    unit += 1;
  }
  return `${value} ${units[unit]}`;
}
