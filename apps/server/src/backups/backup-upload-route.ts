/**
 * `POST /api/backups/upload`: a backup file a person holds, stored in the backup directory, where
 * it is listed, downloaded, verified and restored like the backups this server wrote ("Upload a
 * backup" in the settings). The body is the raw archive, as `POST /api/uploads` takes it (`curl
 * --data-binary @file`, a browser's XHR with the File; no multipart); `X-Archive-Name` (or the
 * older `X-File-Name`) may carry the file's name, URI-encoded. A sealed backup (age) is taken too:
 * `X-Seal-Identity` / `X-Seal-Passphrase` give its key, else the instance's own keys open it
 * (seal/upload-seal.ts); it is checked through the seal in the same pass and stored sealed, under a
 * `….tar.gz.age` name.
 *
 * One pass (restore/receive-upload.ts's receiveArchive, with the restore upload's size cap, stall
 * watchdog and space reservation): the body is written to a work file in the backup directory
 * (`.evidence-locker-backup-upload-<uuid>.tar.gz`, swept at start-up should the server die
 * meanwhile) and validated by core's reader as it arrives. A valid archive is then published under
 * a backup file name that replaces nothing (core's publishUploadedBackup: its own name when that is
 * one and free, else the next free one); a refused one leaves nothing behind.
 *
 * Answers:
 * - 200 `{ fileName, size, validation, sealed }`: the name it is stored under, the bytes, what it
 *   holds, and how it is sealed (`identity`, `passphrase` or null);
 * - 400 `{ error: { code, message, details? } }` for an invalid archive (ARCHIVE_*, META_*,
 *   MEMBER_*, SEAL_*, the engine's codes), as the restore upload answers it;
 * - 401 LOGIN_REQUIRED (the session rule, as the other backup routes); 413 ARCHIVE_TOO_LARGE; 409
 *   BUSY while {@link MAX_BACKUP_UPLOADS} are arriving; 408 UPLOAD_STALLED; 507 DISK_FULL; the
 *   backup directory's own refusals (BACKUP_PATH_IN_DATA_DIR, DIRECTORY_NOT_FOUND, …) as the
 *   backup job gives them.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  ArchiveValidationSchema,
  ensureBackupDirWritable,
  ensureFreeSpace,
  FREE_SPACE_MARGIN,
  LockerError,
  peekSealedWith,
  publishUploadedBackup,
  reserveSpace,
  validateArchive,
  WORK_PREFIX,
  type SealedWith,
  type SpaceReservation,
} from '@evidence-locker/core';
import { audit } from '../audit.ts';
import { SESSION_COOKIE } from '../auth/session-token.ts';
import {
  acceptArchiveBody,
  announcedBytes,
  archiveBody,
  bodyInterrupted,
  sendArchiveRefusal,
  type ArchiveRoute,
} from '../restore/archive-body.ts';
import { receiveArchive, uploadTooLarge } from '../restore/receive-upload.ts';
import { checkSessionAccess } from '../restore/setup-access.ts';
import { instanceSealSettings } from '../seal/instance-seal-settings.ts';
import { uploadSealOf } from '../seal/upload-seal.ts';
import { refuseBackupPathInDataDir } from './backup-path-guard.ts';

const ROUTE: ArchiveRoute = { url: '/api/backups/upload', auditPath: 'backups.upload' };

/** Most backup uploads arriving at once: each holds a file in the backup directory while it arrives. */
export const MAX_BACKUP_UPLOADS = 2;

/** Name prefix of a backup upload's work file in the backup directory. */
export const BACKUP_UPLOAD_PREFIX = `${WORK_PREFIX}backup-upload-`;

/** The answer of a stored upload. */
export const UploadedBackupSchema = z.object({
  /** The backup file name it is stored under in the backup directory. */
  fileName: z.string(),
  /** Bytes stored. */
  size: z.number().int().nonnegative(),
  /** What the archive holds, as validated while it arrived. */
  validation: ArchiveValidationSchema,
  /** How the file is sealed (age): `identity`, `passphrase`, or null for a plain archive. */
  sealed: z.enum(['identity', 'passphrase']).nullable(),
});
export type UploadedBackup = z.infer<typeof UploadedBackupSchema>;

/** Registers the route as an encapsulated plugin (`app.register(backupUploadRoute)`); services from `app.locker`. */
export async function backupUploadRoute(app: FastifyInstance): Promise<void> {
  acceptArchiveBody(app, ROUTE);
  let arriving = 0;

  app.post(ROUTE.url, async (request, reply) => {
    const services = app.locker;
    const { uploads, instance } = services;
    const body = archiveBody(request);
    const interrupted = bodyInterrupted(request);
    let reading = false;
    let counted = false;
    let reservation: SpaceReservation | undefined;
    try {
      checkSessionAccess(
        services,
        { clientAddress: request.ip, sessionToken: request.cookies[SESSION_COOKIE], log: request.log },
        ROUTE.auditPath,
      );
      // A malformed key header is refused before anything is read.
      const seal = uploadSealOf(request.headers, instanceSealSettings(instance));
      const announced = announcedBytes(request);
      if (announced !== undefined && announced > uploads.maxBytes) throw uploadTooLarge(uploads.maxBytes);
      if (arriving >= MAX_BACKUP_UPLOADS) {
        throw new LockerError('BUSY', `${arriving} backups are already being uploaded; wait until one is done.`, {
          details: { count: arriving },
        });
      }
      arriving += 1;
      counted = true;
      const backupDir = instance.backupPath;
      await refuseBackupPathInDataDir(backupDir, instance.dataDir);
      await ensureBackupDirWritable(backupDir);
      if (announced !== undefined) await ensureFreeSpace('upload', [{ dir: backupDir, bytes: announced + FREE_SPACE_MARGIN }]);
      // The announced size is promised to this upload, so concurrent writers cannot take it too.
      reservation = await reserveSpace('upload', backupDir, announced ?? 0, FREE_SPACE_MARGIN);

      reading = true;
      const workPath = path.join(backupDir, `${BACKUP_UPLOAD_PREFIX}${randomUUID()}.tar.gz`);
      const { limits, pace } = uploads;
      const received = await receiveArchive(body, {
        path: workPath,
        maxBytes: uploads.maxBytes,
        reservation,
        signal: interrupted,
        ...(pace ? { pace } : {}),
        check: (source) => validateArchive(source, { ...(limits ? { limits } : {}), seal: { key: seal.key, expect: seal.expect } }),
      });
      let fileName: string;
      let sealed: SealedWith | null = null;
      try {
        sealed = await peekSealedWith(workPath);
        // A sealed file keeps a sealed name (….tar.gz.age), whatever it was called.
        fileName = await publishUploadedBackup(workPath, backupDir, {
          requestedName: seal.archiveName,
          metaTimestamp: received.checked.meta['timestamp'],
          sealed: sealed !== null,
        });
      } catch (error) {
        await rm(workPath, { force: true });
        throw error;
      }
      audit(
        request.log,
        'backup.uploaded',
        { ip: request.ip, file: fileName, size: received.size, sealed },
        'Backup uploaded into the backup directory',
      );
      return UploadedBackupSchema.parse({ fileName, size: received.size, validation: received.checked, sealed });
    } catch (error) {
      return sendArchiveRefusal(request, reply, { route: ROUTE, body, error, reading, maxBytes: uploads.maxBytes });
    } finally {
      reservation?.release();
      if (counted) arriving -= 1;
    }
  });
}
