/**
 * What the two raw routes that take an archive as the request body share (POST /api/uploads,
 * restore/upload-route.ts, and POST /api/backups/upload, backups/backup-upload-route.ts): the
 * body is handed over as a stream (no multipart, no buffering, no Fastify body limit: the cap is
 * the upload store's), only a raw archive's media type is taken, a client that goes away is
 * noticed, and a refusal is answered on the same connection without reading gigabytes for it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { LockerError } from '@evidence-locker/core';
import { audit } from '../audit.ts';
import { isServerFault, toHttpError } from '../errors/error-mapping.ts';
import { refusal } from '../errors/server-refusal.ts';

/** Media types the routes accept as a raw archive. */
export const UPLOAD_CONTENT_TYPES = ['application/octet-stream', 'application/gzip', 'application/x-gzip'];

/** The status engine validation codes map to; an archive body is answered 400 instead. */
const INVALID_ARCHIVE_STATUS = 422;

/** Which route a refusal belongs to: its URL, and the `path` of its `restore.refused` audit line. */
export interface ArchiveRoute {
  url: string;
  auditPath: string;
}

/**
 * Takes the request body of `route` as a raw stream, and refuses any other media type before
 * anything else runs (415 UPLOAD_TYPE_UNSUPPORTED). Call inside an encapsulated plugin, so the
 * parser applies to that plugin's routes only.
 */
export function acceptArchiveBody(app: FastifyInstance, route: ArchiveRoute): void {
  app.addContentTypeParser(UPLOAD_CONTENT_TYPES, (_request, payload, done) => done(null, payload));
  // Before anything else (no parser, no file, no descriptor): only a raw archive is an upload. The
  // other types would reach the handler through Fastify's own parsers as a string.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST' || request.routeOptions.url !== route.url) return;
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (UPLOAD_CONTENT_TYPES.includes(mediaType)) return;
    const refused = refusal(
      'UNSUPPORTED_MEDIA_TYPE',
      'UPLOAD_TYPE_UNSUPPORTED',
      `An upload is the archive itself as the request body, sent as ${UPLOAD_CONTENT_TYPES.join(' or ')}; this request was ${mediaType || 'sent without a Content-Type'}.`,
      { contentType: mediaType },
    );
    const mapped = toHttpError(refused);
    audit(request.log, 'restore.refused', { ip: request.ip, path: route.auditPath, reason: 'UPLOAD_TYPE_UNSUPPORTED' }, 'Upload refused');
    return reply.code(mapped.status).header('connection', 'close').send(mapped.body);
  });
}

/** The request's body as a stream (the parser above hands it over untouched). */
export function archiveBody(request: FastifyRequest): Readable {
  return (request.body as Readable | undefined) ?? request.raw;
}

/**
 * A signal that aborts when the client goes away before its body is complete. Watched from the
 * start: a body that breaks (a malformed chunk, a reset) may end while checks are awaited, and its
 * 'close' would otherwise pass unseen.
 */
export function bodyInterrupted(request: FastifyRequest): AbortSignal {
  const interrupted = new AbortController();
  const onClose = (): void => {
    if (!request.raw.complete) interrupted.abort();
  };
  request.raw.once('close', onClose);
  if (request.raw.destroyed) onClose();
  return interrupted.signal;
}

/** The Content-Length the client announced, or undefined for a chunked body. */
export function announcedBytes(request: FastifyRequest): number | undefined {
  const announced = Number(request.headers['content-length']);
  return Number.isFinite(announced) ? announced : undefined;
}

/**
 * Answers a refused archive body: engine validation codes as 400 (the body itself is what is
 * wrong), everything else as toHttpError maps it, with a `restore.refused` audit line (401 and 429
 * were audited by the access check already). A client still sending an archive known to be
 * invalid has the rest read and dropped (up to `maxBytes`), so it gets the answer instead of a
 * reset connection; refused before reading, or too large, the connection is closed instead.
 */
export function sendArchiveRefusal(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { route: ArchiveRoute; body: Readable; error: unknown; reading: boolean; maxBytes: number },
): FastifyReply {
  const { body, error } = options;
  const mapped = toHttpError(error);
  const status = mapped.status === INVALID_ARCHIVE_STATUS ? 400 : mapped.status;
  if (isServerFault(status)) request.log.error({ err: error }, 'Upload failed');
  if (error instanceof LockerError && status !== 401 && status !== 429) {
    audit(
      request.log,
      'restore.refused',
      { ip: request.ip, path: options.route.auditPath, reason: error.code, message: error.message },
      'Upload refused',
    );
  }
  if (!body.readableEnded) {
    if (options.reading && status === 400) discardRest(body, options.maxBytes);
    else void reply.header('connection', 'close');
  }
  return reply.code(status).send(mapped.body);
}

function discardRest(body: Readable, allowance: number): void {
  let dropped = 0;
  body.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > allowance) body.destroy();
  });
  body.resume();
}
