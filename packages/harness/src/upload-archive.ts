/**
 * `POST /api/uploads`, the raw route the wizard and the settings page upload an archive through:
 * the file streamed from disk (node:http, its Content-Length known, nothing buffered).
 */
import fs from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';

/** Options of {@link uploadArchive}. */
export interface UploadArchiveOptions {
  /** A `Cookie` header (the session of a logged-in admin). */
  cookie?: string;
  /** Fail after this long without progress (ms); default 60 s. */
  timeoutMs?: number;
}

/** Streams `file` to `url`'s `POST /api/uploads`; resolves with the upload's id, throws with the answer unless 200. */
export function uploadArchive(url: string, file: string, options: UploadArchiveOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream',
      'content-length': fs.statSync(file).size,
    };
    if (options.cookie) headers['cookie'] = options.cookie;
    const request = http.request(`${url}/api/uploads`, { method: 'POST', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: { uploadId?: unknown } | undefined;
        try {
          body = JSON.parse(text) as { uploadId?: unknown };
        } catch {
          // Not JSON: the text goes into the error below.
        }
        if (response.statusCode === 200 && typeof body?.uploadId === 'string') resolve(body.uploadId);
        else reject(new Error(`POST /api/uploads answered ${response.statusCode}: ${text}`));
      });
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`POST ${url}/api/uploads timed out after ${timeoutMs} ms`)));
    request.on('error', reject);
    pipeline(fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), request).catch(reject);
  });
}
