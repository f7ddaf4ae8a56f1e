/**
 * Uploads a backup archive once (`POST /api/uploads`, raw bytes) and returns the server's upload
 * token with its validation; or stores one in the backup directory (`uploadBackup`). XMLHttpRequest rather than fetch, because only XHR reports upload
 * progress. The same token then starts the restore, so the archive never travels twice. The answer
 * has the shape of `restore.uploaded`'s output (UploadedArchive).
 */
import type { UploadedArchive, UploadedBackup } from './server-types.ts';

/** A refused upload: the server's code, message and details (e.g. ARCHIVE_NOT_GZIP). */
export class UploadError extends Error {
  override readonly name = 'UploadError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** The facts a translation of the code may name. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Progress of an upload, in bytes. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

/** Options of {@link uploadArchive}. */
export interface UploadArchiveOptions {
  /** Called as bytes leave the browser. */
  onProgress?: (progress: UploadProgress) => void;
  /** Aborts the upload (rejects with an AbortError). */
  signal?: AbortSignal;
  /** Endpoint (default `/api/uploads`). */
  url?: string;
  /** Extra request headers: the name and key of a sealed file (sealed-file.ts `sealUploadHeaders`); none by default. */
  headers?: Record<string, string>;
  /** XMLHttpRequest constructor (tests pass a fake). */
  XHR?: typeof XMLHttpRequest;
}

/** Uploads `file` and resolves with the server's answer; rejects with UploadError on refusal. */
export function uploadArchive(file: Blob, options: UploadArchiveOptions = {}): Promise<UploadedArchive> {
  return sendArchive(file, options.url ?? '/api/uploads', isUploaded, options);
}

/**
 * Uploads a backup file into the server's backup directory (`POST /api/backups/upload`, "Upload a
 * backup" in the settings) and resolves with the name it is stored under; rejects with UploadError
 * on refusal (the archive's problem, a full disk, no session).
 */
export function uploadBackup(file: Blob, options: UploadArchiveOptions = {}): Promise<UploadedBackup> {
  return sendArchive(file, options.url ?? '/api/backups/upload', isStoredBackup, options);
}

/** Sends `file` as the raw body to `url`, with progress; `isAnswer` tells a success answer. */
function sendArchive<T>(file: Blob, url: string, isAnswer: (body: unknown) => body is T, options: UploadArchiveOptions): Promise<T> {
  const XHR = options.XHR ?? XMLHttpRequest;
  return new Promise((resolve, reject) => {
    const xhr = new XHR();
    xhr.open('POST', url);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    const name = (file as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') xhr.setRequestHeader('X-File-Name', encodeURIComponent(name));
    for (const [header, value] of Object.entries(options.headers ?? {})) xhr.setRequestHeader(header, value);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (event) => {
      options.onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
    };
    xhr.onload = () => {
      const body = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300 && isAnswer(body)) {
        options.onProgress?.({ loaded: file.size, total: file.size });
        resolve(body);
        return;
      }
      const error = readError(body);
      reject(new UploadError(error?.code ?? `HTTP_${xhr.status}`, error?.message ?? '', xhr.status, error?.details));
    };
    xhr.onerror = () => reject(new UploadError('NETWORK', '', 0));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    if (options.signal) {
      if (options.signal.aborted) {
        reject(new DOMException('Upload cancelled', 'AbortError'));
        return;
      }
      options.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(file);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isUploaded(body: unknown): body is UploadedArchive {
  return typeof body === 'object' && body !== null && typeof (body as { uploadId?: unknown }).uploadId === 'string';
}

function isStoredBackup(body: unknown): body is UploadedBackup {
  return typeof body === 'object' && body !== null && typeof (body as { fileName?: unknown }).fileName === 'string';
}

function readError(body: unknown): { code: string; message: string; details: Record<string, unknown> } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, details } = error as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof message !== 'string') return undefined;
  return {
    code: typeof code === 'string' ? code : 'ERROR',
    message,
    details: typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {},
  };
}
