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
import type { TRPCError } from '@trpc/server';
import { refusal } from '../errors/server-refusal.ts';
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
  type SealedInputOptions,
  type SpaceReservation,
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
  /**
   * The space reserved for the archive file (the announced size, or nothing for a chunked body):
   * bytes are counted off it as they arrive, and it is extended step by step past what was
   * announced, so concurrent uploads never promise the same free bytes twice.
   */
  reservation: SpaceReservation;
  /** When the client counts as stalled (default DEFAULT_UPLOAD_PACE). */
  pace?: UploadPace;
  /** How a sealed upload is opened (in the same pass) and what its name promised; default: a sealed one is refused. */
  seal?: SealedInputOptions;
}

/** How much more space a body that outgrows its reservation reserves at a time. */
const RESERVATION_STEP = 64 * 1024 * 1024;

/**
 * When a client counts as stalled (the upload is then dropped and its files removed, so a slow or
 * silent client cannot hold an upload slot): nothing arrived for `idleMs`, or fewer than
 * `minBytesPerWindow` arrived in a `windowMs`. Time the server itself holds the body back
 * (back-pressure from the validator or the disk) is not the client's and is not counted.
 */
export interface UploadPace {
  idleMs: number;
  windowMs: number;
  minBytesPerWindow: number;
}

export const DEFAULT_UPLOAD_PACE: UploadPace = { idleMs: 30_000, windowMs: 60_000, minBytesPerWindow: 64 * 1024 };

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
 * Streams `body` into `options.path` while validating it and staging its members for a restore.
 * Resolves when the file is complete and the archive valid; otherwise removes the file and throws
 * the validator's LockerError (or ARCHIVE_TOO_LARGE, CANCELLED, DISK_FULL).
 */
export async function receiveUpload(body: Readable, options: ReceiveUploadOptions): Promise<ReceivedUpload> {
  const { size, checked: prepared } = await receiveArchive(body, {
    ...options,
    check: (source) =>
      prepareRestore({
        source,
        dataDir: dirname(options.path),
        stagingPrefix: options.stagingPrefix,
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.seal ? { seal: options.seal } : {}),
      }),
    // The members may all be staged already when writing the file is what failed.
    discard: discardPreparedRestore,
  });
  return { size, validation: archiveValidationOf(prepared), prepared };
}

/** Options of {@link receiveArchive}: receiveUpload's, with the check in place of the staging. */
export interface ReceiveArchiveOptions<T> extends Omit<ReceiveUploadOptions, 'stagingPrefix' | 'limits' | 'seal'> {
  /** Reads the archive as it arrives and resolves with its verdict, or rejects with why it is refused. */
  check: (source: Readable) => Promise<T>;
  /** Undoes what a successful check left behind when writing the file failed after all. */
  discard?: (checked: T) => Promise<void>;
}

/**
 * The one pass both uploads share (the restore upload here, and a backup uploaded into the backup
 * directory, backups/receive-backup-upload.ts): `body` is written to `options.path` and fed to
 * `options.check` at once, under the size cap, the space reservation and the stall watchdog.
 * Resolves with the bytes written and the check's verdict; otherwise removes the file and throws
 * the check's LockerError (or ARCHIVE_TOO_LARGE, CANCELLED, UPLOAD_STALLED, DISK_FULL).
 */
export async function receiveArchive<T>(body: Readable, options: ReceiveArchiveOptions<T>): Promise<{ size: number; checked: T }> {
  const { path, maxBytes } = options;
  // A body that broke, or a caller that gave up, before anything was opened.
  if (body.destroyed || isAborted(options.signal)) {
    throw new LockerError('CANCELLED', 'The upload was interrupted.');
  }
  const stop = new AbortController();
  const onCallerAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const toValidator = new PassThrough();
  const validating = options.check(toValidator);
  let validationFailed = false;
  // An early verdict stops the upload; the verdict itself is read below.
  validating.catch(() => {
    validationFailed = true;
    stop.abort();
  });

  let size = 0;
  let tooLarge = false;
  const { reservation } = options;
  let reserved = reservation.bytes;
  const watchdog = new PaceWatchdog(options.pace ?? DEFAULT_UPLOAD_PACE, () => stop.abort());
  const pass = (chunk: Buffer, callback: (error?: Error | null, chunk?: Buffer) => void): void => {
    reservation.consume(chunk.length);
    if (toValidator.destroyed || toValidator.write(chunk)) {
      callback(null, chunk);
      return;
    }
    watchdog.hold(waitForDrain(toValidator)).then(() => callback(null, chunk), callback);
  };
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      watchdog.arrived(chunk.length);
      if (size > maxBytes) {
        tooLarge = true;
        callback(uploadTooLarge(maxBytes));
        return;
      }
      if (size > reserved) {
        // Checked beside the stream rather than in its way (a chunk is at most a high-water mark
        // past the promise): a body that outgrew its reservation and finds no room ends in DISK_FULL.
        const step = Math.max(RESERVATION_STEP, size - reserved);
        reserved += step;
        reservation.extend('upload', dirname(path), step).catch((error: unknown) => tee.destroy(error as Error));
      }
      pass(chunk, callback);
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
      if (watchdog.stalled) throw uploadStalled(options.pace ?? DEFAULT_UPLOAD_PACE);
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
    return { size, checked: await validating };
  } catch (error) {
    await rm(path, { force: true });
    const checked = await validating.then(
      (verdict) => ({ verdict }),
      () => undefined,
    );
    if (checked !== undefined) await options.discard?.(checked.verdict);
    throw error;
  } finally {
    watchdog.stop();
    body.off('error', onBodyError);
    options.signal?.removeEventListener('abort', onCallerAbort);
    validating.catch(() => undefined);
  }
}

/** The refusal of a stalled upload (408). */
export function uploadStalled(pace: UploadPace): TRPCError {
  return refusal(
    'TIMEOUT',
    'UPLOAD_STALLED',
    `The upload stalled: nothing arrived for ${pace.idleMs / 1000} s, or less than ${pace.minBytesPerWindow / 1024} KiB in ${pace.windowMs / 1000} s. Check the connection and upload the file again.`,
    { idleSeconds: pace.idleMs / 1000, windowSeconds: pace.windowMs / 1000, minKib: pace.minBytesPerWindow / 1024 },
  );
}

/** Watches how fast a client sends (see UploadPace); calls `onStall` once when it falls behind. */
class PaceWatchdog {
  stalled = false;
  readonly #pace: UploadPace;
  readonly #onStall: () => void;
  readonly #timer: NodeJS.Timeout;
  /** Client time (server-held time left out) at the last chunk, and at the window's start. */
  #lastArrival = 0;
  #windowStart = 0;
  #windowBytes = 0;
  #clientTime = 0;
  #tickAt = Date.now();
  #holding = 0;

  constructor(pace: UploadPace, onStall: () => void) {
    this.#pace = pace;
    this.#onStall = onStall;
    this.#timer = setInterval(() => this.#tick(), Math.max(10, Math.min(1000, pace.idleMs / 4)));
    this.#timer.unref();
  }

  arrived(bytes: number): void {
    this.#tick();
    this.#lastArrival = this.#clientTime;
    this.#windowBytes += bytes;
  }

  /** The server holds the body back until `waiting` settles: that time is not the client's. */
  hold<T>(waiting: Promise<T>): Promise<T> {
    this.#tick();
    this.#holding += 1;
    return waiting.finally(() => {
      this.#tick();
      this.#holding -= 1;
    });
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    const now = Date.now();
    if (this.#holding === 0) this.#clientTime += now - this.#tickAt;
    this.#tickAt = now;
    if (this.stalled) return;
    const idle = this.#clientTime - this.#lastArrival >= this.#pace.idleMs;
    let slow = false;
    if (this.#clientTime - this.#windowStart >= this.#pace.windowMs) {
      slow = this.#windowBytes < this.#pace.minBytesPerWindow;
      this.#windowStart = this.#clientTime;
      this.#windowBytes = 0;
    }
    if (idle || slow) {
      this.stalled = true;
      this.stop();
      this.#onStall();
    }
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
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
