/**
 * `POST /api/uploads`: the raw archive bytes as the request body (`Content-Type:
 * application/octet-stream` or `application/gzip`, as `curl --data-binary @file` or a browser
 * `fetch(url, { body: file })` sends them; no multipart). The body is streamed to a staging file
 * and validated in the same pass (receive-upload.ts), never buffered.
 *
 * A sealed backup (age) is opened in that same pass. Optional headers (seal/upload-seal.ts):
 * `X-Archive-Name` (the picked file's name, percent-encoded: a `.age` name must be sealed, a
 * `.tar.gz` name plain), `X-Seal-Identity` (base64 of the identity text or a recovery kit's
 * content) or `X-Seal-Passphrase` (base64 of the passphrase). Without a key header the instance's
 * own keys open it.
 *
 * Answers:
 * - 200 `{ uploadId, size, expiresAt, validation: { meta, files, has_database, has_config,
 *   warnings, members }, restoredConfig, sealed }` (upload-info.ts); restore it with
 *   `restore.start({ uploadId })`;
 * - 400 `{ error: { code, message, details? } }` with the engine's code, message and details
 *   when the archive is invalid (e.g. `ARCHIVE_NOT_GZIP` "Invalid archive: not a gzip file"), or
 *   sealed and not opened (SEAL_KEY_REQUIRED with `details.sealedWith`, SEAL_WRONG_IDENTITY,
 *   ARCHIVE_SEALED, SEAL_TRUNCATED, SEAL_KEY_INVALID for a malformed key header, …). The staged
 *   file is gone;
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
import type { FastifyInstance } from 'fastify';
import { ensureFreeSpace, FREE_SPACE_MARGIN, LockerError } from '@evidence-locker/core';
import { SESSION_COOKIE } from '../auth/session-token.ts';
import { acceptArchiveBody, announcedBytes, archiveBody, bodyInterrupted, sendArchiveRefusal, type ArchiveRoute } from './archive-body.ts';
import { checkSessionAccess, checkSetupAccess, type AccessRequest } from './setup-access.ts';
import { uploadTooLarge } from './receive-upload.ts';
import { uploadInfoOf } from './upload-info.ts';
import { instanceSealSettings } from '../seal/instance-seal-settings.ts';
import { uploadSealOf } from '../seal/upload-seal.ts';

const ROUTE: ArchiveRoute = { url: '/api/uploads', auditPath: 'upload' };

/**
 * Registers the route as an encapsulated plugin (`app.register(uploadRoute)`), so its raw-stream
 * body parser applies to this route only. Reads the services from `app.locker`.
 */
export async function uploadRoute(app: FastifyInstance): Promise<void> {
  acceptArchiveBody(app, ROUTE);

  app.post(ROUTE.url, async (request, reply) => {
    const services = app.locker;
    const { uploads } = services;
    const body = archiveBody(request);
    const access: AccessRequest = {
      clientAddress: request.ip,
      sessionToken: request.cookies[SESSION_COOKIE],
      log: request.log,
    };
    const uploadId = uploads.newUploadId();
    let reading = false;
    const interrupted = bodyInterrupted(request);
    try {
      // Order: who you are, then the announced size and the free space (free), then the rate limit (costs an attempt).
      checkSessionAccess(services, access, 'upload');
      // A malformed key header is refused before anything is read or counted.
      const seal = uploadSealOf(request.headers, instanceSealSettings(services.instance));
      const announced = announcedBytes(request);
      if (announced !== undefined && announced > uploads.maxBytes) throw uploadTooLarge(uploads.maxBytes);
      if (announced !== undefined) {
        await ensureFreeSpace('upload', [{ dir: uploads.stagingDir, bytes: announced + FREE_SPACE_MARGIN }]);
      }
      const admission = checkSetupAccess(services, access, 'upload');

      reading = true;
      const sender = admission.pendingUploads === undefined ? undefined : { id: request.ip, maxPending: admission.pendingUploads };
      const staged = await uploads
        .receive(uploadId, body, {
          signal: interrupted,
          ...(announced !== undefined ? { announcedBytes: announced } : {}),
          ...(sender ? { sender } : {}),
          seal: { key: seal.key, expect: seal.expect },
        })
        .catch((error: unknown) => {
          // Refused before a byte was read: it cost nothing, so it counts nothing.
          if (error instanceof LockerError && error.code === 'BUSY') admission.refund();
          throw error;
        });
      request.log.info(
        { uploadId, size: staged.size, ip: request.ip, files: staged.validation.files, sealed: staged.sealed },
        'Backup archive uploaded and validated',
      );
      return uploadInfoOf(staged);
    } catch (error) {
      return sendArchiveRefusal(request, reply, { route: ROUTE, body, error, reading, maxBytes: uploads.maxBytes });
    }
  });
}
