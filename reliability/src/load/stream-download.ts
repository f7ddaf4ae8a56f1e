/**
 * Downloads a backup the way a browser saves it: one GET, the body streamed to a file with
 * back-pressure, optionally read no faster than `bytesPerSecond` (a slow link keeps the server's
 * stream open for longer).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { browserHeaders } from './browser-headers.ts';

/** A finished download. */
export interface Download {
  url: string;
  status: number;
  /** From Content-Disposition. */
  fileName: string | null;
  contentLength: number | null;
  bytes: number;
  sha256: string;
  /** From the request until the last byte. */
  seconds: number;
  /** Until the response headers (a fresh backup answers when its archive is ready to stream). */
  secondsToHeaders: number;
}

function throttle(bytesPerSecond: number): Transform {
  const started = performance.now();
  let passed = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      passed += chunk.length;
      const wait = started + (passed / bytesPerSecond) * 1000 - performance.now();
      if (wait > 0) setTimeout(() => callback(null, chunk), wait);
      else callback(null, chunk);
    },
  });
}

/** GETs `url` into `file`; rejects on a non-200 answer or a broken stream. */
export function streamDownload(url: string, file: string, options: { bytesPerSecond?: number } = {}): Promise<Download> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: browserHeaders(new URL(url).origin) }, (response) => {
      const secondsToHeaders = (performance.now() - started) / 1000;
      const status = response.statusCode ?? 0;
      if (status !== 200) {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          reject(new Error(`GET ${url} answered ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 500)}`)),
        );
        return;
      }
      const hash = createHash('sha256');
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      const piped = options.bytesPerSecond
        ? pipeline(response, throttle(options.bytesPerSecond), count, createWriteStream(file))
        : pipeline(response, count, createWriteStream(file));
      piped.then(() => {
        const length = response.headers['content-length'];
        resolve({
          url,
          status,
          fileName: /filename="([^"]+)"/.exec(response.headers['content-disposition'] ?? '')?.[1] ?? null,
          contentLength: length === undefined ? null : Number(length),
          bytes,
          sha256: hash.digest('hex'),
          seconds: (performance.now() - started) / 1000,
          secondsToHeaders,
        });
      }, reject);
    });
    request.on('error', reject);
  });
}
