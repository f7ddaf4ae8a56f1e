/**
 * A pass-through stream that counts the bytes of a transfer, reports progress a few times a second,
 * and fails as soon as the count cannot match the size that was announced: more bytes than `size`
 * fail at once, fewer fail at the end. A protocol sends `size` in advance (Content-Length, a
 * multipart plan), so a stream that holds another amount must stop the transfer, not hang it.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { targetError } from './target-error.ts';

export interface TransferMeterOptions {
  /** The exact number of bytes that must pass. */
  size: number;
  /** Called with the bytes passed so far: at most every `intervalMs`, and once at the end. */
  onBytes?: ((bytesDone: number) => void) | undefined;
  /** The error for a stream that holds `bytesDone` bytes instead of `size`. */
  mismatch: (bytesDone: number) => Error;
  /** Default 250 ms. */
  intervalMs?: number;
}

/** A Transform passing its input through unchanged while counting it against `options.size`. */
export function transferMeter(options: TransferMeterOptions): Transform & { readonly bytesDone: number } {
  const intervalMs = options.intervalMs ?? 250;
  let bytesDone = 0;
  let reportedAt = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      bytesDone += chunk.length;
      if (bytesDone > options.size) {
        callback(options.mismatch(bytesDone));
        return;
      }
      const now = Date.now();
      if (options.onBytes !== undefined && now - reportedAt >= intervalMs) {
        reportedAt = now;
        options.onBytes(bytesDone);
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (bytesDone !== options.size) {
        callback(options.mismatch(bytesDone));
        return;
      }
      options.onBytes?.(bytesDone);
      callback();
    },
  });
  return Object.defineProperty(meter, 'bytesDone', { get: () => bytesDone }) as Transform & { readonly bytesDone: number };
}

/**
 * A download's body counted against the size the target announced: the returned stream is what a
 * caller reads; it fails with `failure(error)` when the body fails, and with TARGET_FAILED when
 * the body ends short (a connection that closes early ends some bodies without an error: the count
 * tells). Destroying the returned stream destroys the body.
 */
export function meteredDownload(
  body: Readable,
  options: {
    size: number;
    name: string;
    location: string;
    onBytes?: ((bytesDone: number) => void) | undefined;
    failure: (error: unknown) => Error;
  },
): Transform {
  const meter = transferMeter({
    size: options.size,
    onBytes: options.onBytes,
    mismatch: (done) =>
      targetError('TARGET_FAILED', options.location, {
        specifics: `The download of "${options.name}" ended after ${done} of ${options.size} bytes.`,
      }),
  });
  body.on('error', (error) => meter.destroy(options.failure(error)));
  meter.once('close', () => body.destroy());
  body.pipe(meter);
  return meter;
}
