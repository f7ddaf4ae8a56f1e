/**
 * `POST /api/uploads`: the raw archive bytes as the request body (`Content-Type:
 * application/octet-stream` or `application/gzip`, as `curl --data-binary @file` or a browser
 * `fetch(url, { body: file })` sends them; no multipart). The body is streamed to a staging file
 * and validated in the same pass (receive-upload.ts), never buffered.
 *
 * Answers:
 * - 200 `{ uploadId, size, expiresAt, validation: { meta, files, has_database, has_config,
 *   warnings, members }, restoredConfig }` (upload-info.ts); restore it with
 *   `restore.start({ uploadId })`;
 * - 400 `{ error: { code, message, details? } }` with the engine's code, message and details
 *   when the archive is invalid (e.g. `ARCHIVE_NOT_GZIP` "Invalid archive: not a gzip file"). The
 *   staged file is gone;
 * - 413 when Content-Length announces more than the cap (refused before reading anything) or the
 *   stream passes it; 401 `LOGIN_REQUIRED` without a session when an admin password is set; 429
 *   `SETUP_UPLOAD_LIMIT` past the setup limit (unconfigured instances: 60 uploads an hour per
 *   address, restore/setup-access.ts); 409 BUSY when too many uploads wait (on an unconfigured
 *   instance an address's oldest waiting upload makes room for its new one); 507 DISK_FULL.
 * The cross-origin refusal runs before all of this (app.ts). Refusals get a `restore.refused` audit
 * line with the client address.
 *
 * Invalid archives are 400 here, not the 422 other raw routes give engine validation codes: the
 * request body itself is what is wrong, and the upload answer is the wizard's validation step.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { ensureFreeSpace, FREE_SPACE_MARGIN, LockerError } from '@evidence-locker/core';
import { audit } from '../audit.ts';
import { toHttpError, isServerFault } from '../errors/error-mapping.ts';
import { refusal } from '../errors/server-refusal.ts';
import { SESSION_COOKIE } from '../auth/session-token.ts';
import { checkSessionAccess, checkSetupAccess, type AccessRequest } from './setup-access.ts';
import { uploadTooLarge } from './receive-upload.ts';
import { UploadInfoSchema } from './upload-info.ts';

/** Media types the route accepts as a raw archive. */
export const UPLOAD_CONTENT_TYPES = ['application/octet-stream', 'application/gzip', 'application/x-gzip'];

/** Codes that mean "the uploaded bytes are not a valid archive" (answered 400). */
const INVALID_ARCHIVE_STATUS = 422;

/**
 * Registers the route as an encapsulated plugin (`app.register(uploadRoute)`), so its raw-stream
 * body parser applies to this route only. Reads the services from `app.locker`.
 */
export async function uploadRoute(app: FastifyInstance): Promise<void> {
  // Hand the stream over untouched: no buffering, no Fastify body limit (the cap is ours).
  app.addContentTypeParser(UPLOAD_CONTENT_TYPES, (_request, payload, done) => done(null, payload));

  // Before anything else (no parser, no file, no descriptor): only a raw archive is an upload. The
  // other types would reach the handler through Fastify's own parsers as a string.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST' || request.routeOptions.url !== '/api/uploads') return;
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (UPLOAD_CONTENT_TYPES.includes(mediaType)) return;
    const refused = refusal(
      'UNSUPPORTED_MEDIA_TYPE',
      'UPLOAD_TYPE_UNSUPPORTED',
      `An upload is the archive itself as the request body, sent as ${UPLOAD_CONTENT_TYPES.join(' or ')}; this request was ${mediaType || 'sent without a Content-Type'}.`,
      { contentType: mediaType },
    );
    const mapped = toHttpError(refused);
    audit(request.log, 'restore.refused', { ip: request.ip, path: 'upload', reason: 'UPLOAD_TYPE_UNSUPPORTED' }, 'Upload refused');
    return reply.code(mapped.status).header('connection', 'close').send(mapped.body);
  });

  app.post('/api/uploads', async (request, reply) => {
    const services = app.locker;
    const { uploads } = services;
    const body = (request.body as Readable | undefined) ?? request.raw;
    const access: AccessRequest = {
      clientAddress: request.ip,
      sessionToken: request.cookies[SESSION_COOKIE],
      log: request.log,
    };
    const uploadId = uploads.newUploadId();
    let reading = false;
    // Watched from the start: a body that breaks (a malformed chunk, a reset) may end while the
    // checks below are awaited, and its 'close' would otherwise pass unseen.
    const interrupted = new AbortController();
    const onClose = (): void => {
      if (!request.raw.complete) interrupted.abort();
    };
    request.raw.once('close', onClose);
    if (request.raw.destroyed) onClose();
    try {
      // Order: who you are, then the announced size and the free space (free), then the rate limit (costs an attempt).
      checkSessionAccess(services, access, 'upload');
      const announced = Number(request.headers['content-length']);
      if (Number.isFinite(announced) && announced > uploads.maxBytes) throw uploadTooLarge(uploads.maxBytes);
      if (Number.isFinite(announced)) {
        await ensureFreeSpace('upload', [{ dir: uploads.stagingDir, bytes: announced + FREE_SPACE_MARGIN }]);
      }
      const admission = checkSetupAccess(services, access, 'upload');

      reading = true;
      const sender = admission.pendingUploads === undefined ? undefined : { id: request.ip, maxPending: admission.pendingUploads };
      const staged = await uploads
        .receive(uploadId, body, {
          signal: interrupted.signal,
          ...(Number.isFinite(announced) ? { announcedBytes: announced } : {}),
          ...(sender ? { sender } : {}),
        })
        .catch((error: unknown) => {
          // Refused before a byte was read: it cost nothing, so it counts nothing.
          if (error instanceof LockerError && error.code === 'BUSY') admission.refund();
          throw error;
        });
      request.log.info(
        { uploadId, size: staged.size, ip: request.ip, files: staged.validation.files },
        'Backup archive uploaded and validated',
      );
      return UploadInfoSchema.parse({
        uploadId,
        size: staged.size,
        expiresAt: staged.expiresAt,
        validation: staged.validation,
        restoredConfig: staged.prepared.restoredConfig,
      });
    } catch (error) {
      return sendRefusal(request, reply, body, error, reading);
    }
  });
}

function sendRefusal(request: FastifyRequest, reply: FastifyReply, body: Readable, error: unknown, reading: boolean): FastifyReply {
  const mapped = toHttpError(error);
  const status = mapped.status === INVALID_ARCHIVE_STATUS ? 400 : mapped.status;
  if (isServerFault(status)) request.log.error({ err: error }, 'Upload failed');
  if (error instanceof LockerError && status !== 401 && status !== 429) {
    // 401 and 429 were audited by the access check already.
    audit(request.log, 'restore.refused', { ip: request.ip, path: 'upload', reason: error.code, message: error.message }, 'Upload refused');
  }
  if (!body.readableEnded) {
    if (reading && status === 400) {
      // The client is still sending an archive already known to be invalid: read and drop the rest
      // (up to the cap), so it gets this answer instead of a reset connection.
      discardRest(body, request.server.locker.uploads.maxBytes);
    } else {
      // Refused before reading, or too large: do not read gigabytes just to drop them.
      void reply.header('connection', 'close');
    }
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
