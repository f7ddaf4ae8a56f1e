/**
 * Raw download routes (bytes, not tRPC), both behind the session rule (401 JSON when an admin
 * password is set and no session) and both native browser downloads: a plain link, no blob in the
 * page's memory (docs/docsight-compatibility.md, D26), with Content-Length so the browser shows
 * progress.
 *
 * GET /api/backups/download   a fresh backup streamed straight to the client (trigger `download`).
 *   `?seal=1` seals it with the instance's key (a `….tar.gz.age`; 409 SEAL_OFF when sealing is off),
 *   `?seal=0` or none: plain, as always.
 *   1. take a read lease (a restore never swaps the databases under it);
 *   2. createBackup snapshots and compresses into its work dir; errors until here are JSON with a
 *      status (e.g. 507 DISK_FULL), since nothing has been sent;
 *   3. when it starts writing, the size is known: headers go out, the body streams with
 *      back-pressure (core's pipeline into a PassThrough that Fastify pipes into the socket);
 *   4. if the client goes away at any point, the backup is aborted and its work dir removed; the
 *      lease is released when the backup has settled, whatever the outcome;
 *   5. once the last byte went out, the time is noted (services.downloads): a copy the user holds.
 *   HEAD is not offered: it would build a whole backup to send no body.
 * GET /api/backups/:filename  a stored backup from the backup path: only a backup file name (else
 *   400; sealed `….tar.gz.age` names included, sent as application/octet-stream), only a regular
 *   file directly inside (no symlink: opened with O_NOFOLLOW; else 404).
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  backupFileName,
  createBackup,
  errnoCode,
  isBackupFileName,
  isLockerError,
  isSealedBackupFileName,
  LockerError,
  sealedArchiveName,
  type SealKey,
} from '@evidence-locker/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { audit } from '../audit.ts';
import { refusal } from '../errors/server-refusal.ts';
import { instanceSealKey } from '../seal/instance-seal-settings.ts';
import type { ServerServices } from '../trpc/context.ts';
import { requireSession } from './session-guard.ts';

/** Registers both download routes on `app`. */
export async function registerBackupDownloadRoutes(app: FastifyInstance, services: ServerServices): Promise<void> {
  const preHandler = requireSession(services);

  app.get<{ Querystring: { seal?: string } }>('/api/backups/download', { preHandler, exposeHeadRoute: false }, async (request, reply) => {
    // Before the lease and the snapshot: a refused download costs nothing.
    const seal = downloadSealKey(request.query.seal, services);
    const clientGone = new AbortController();
    reply.raw.on('close', () => {
      // Ended means every byte was handed over; 'close' can still come before core sees its pipeline finish.
      if (!reply.raw.writableEnded) clientGone.abort();
    });
    const release = await services.jobs.acquireReadLease();
    const now = new Date();
    const fileName = seal === undefined ? backupFileName(now) : sealedArchiveName(backupFileName(now));
    const body = new PassThrough();
    let writing!: (size: number) => void;
    const sizeKnown = new Promise<number>((resolve) => (writing = resolve));
    let streaming = false;
    const backup = createBackup({
      dataDir: services.instance.dataDir,
      destination: { kind: 'stream', stream: body },
      trigger: 'download',
      now,
      signal: clientGone.signal,
      seal,
      onProgress: (progress) => {
        if (progress.phase === 'write' && progress.bytesDone === 0) writing(progress.bytesTotal);
      },
    });
    const settled = backup.then(
      (result) => request.log.info({ file: result.fileName, size: result.size }, 'Backup download finished'),
      (error: unknown) => {
        body.destroy();
        if (isLockerError(error, 'CANCELLED')) request.log.info({ file: fileName }, 'Backup download aborted: the client went away');
        // Before streaming, the error handler answers and logs it.
        else if (streaming) request.log.error({ err: error, file: fileName }, 'Backup download failed mid-stream');
      },
    );
    void settled.finally(release);
    // 'finish': every byte went out to the client, so the user holds a copy (the dashboard counts it).
    reply.raw.once('finish', () => {
      backup.then(
        () => services.downloads.noteFinished(new Date()),
        () => undefined,
      );
    });

    // Until the first byte, a failure is an ordinary JSON error with a status.
    const size = await Promise.race([sizeKnown, backup.then(() => sizeKnown)]);
    streaming = true;
    audit(
      request.log,
      'backup.downloaded',
      { ip: request.ip, file: fileName, size, fresh: true, sealed: seal !== undefined },
      'Backup downloaded',
    );
    attachmentHeaders(reply, fileName, size);
    return reply.send(body);
  });

  app.get<{ Params: { filename: string } }>('/api/backups/:filename', { preHandler }, async (request, reply) => {
    const { filename } = request.params;
    if (!isBackupFileName(filename)) {
      throw new LockerError('BACKUP_NAME_INVALID', `Not a backup file name: ${JSON.stringify(filename)}.`, {
        details: { fileName: filename },
      });
    }
    const handle = await openStoredBackup(services.instance.backupPath, filename);
    const stats = await handle.stat();
    const stream = handle.createReadStream();
    audit(request.log, 'backup.downloaded', { ip: request.ip, file: filename, size: stats.size, fresh: false }, 'Backup downloaded');
    attachmentHeaders(reply, filename, stats.size);
    reply.header('Last-Modified', stats.mtime.toUTCString());
    return reply.send(stream);
  });
}

/**
 * The key a fresh download is sealed with: `?seal=1` the instance's (SEAL_OFF, 409, when it has
 * none), `?seal=0` or no `seal` none; anything else is INVALID_ARGUMENT.
 */
function downloadSealKey(value: string | undefined, services: ServerServices): SealKey | undefined {
  if (value === undefined || value === '0') return undefined;
  if (value !== '1') {
    throw new LockerError('INVALID_ARGUMENT', `seal must be 1 (sealed) or 0 (plain), not ${JSON.stringify(value).slice(0, 40)}.`, {
      details: { name: 'seal' },
    });
  }
  const key = instanceSealKey(services.instance);
  if (key === undefined) {
    throw refusal(
      'CONFLICT',
      'SEAL_OFF',
      'Sealing is off: there is no key to seal this download with. Turn sealing on in the settings first, or download it plain.',
    );
  }
  return key;
}

/** Headers of a native download of backup `fileName` (`size` bytes). */
export function attachmentHeaders(reply: FastifyReply, fileName: string, size: number): void {
  // Backup file names are [A-Za-z0-9_.-] only, so the quoted form needs no escaping. A sealed
  // backup is not gzip to anything but age.
  reply
    .header('Content-Type', isSealedBackupFileName(fileName) ? 'application/octet-stream' : 'application/gzip')
    .header('Content-Disposition', `attachment; filename="${fileName}"`)
    .header('Content-Length', String(size))
    .header('Cache-Control', 'no-store');
}

/** Opens `backupDir/fileName` when it is a regular file (not a symlink); else BACKUP_NOT_FOUND. */
async function openStoredBackup(backupDir: string, fileName: string): Promise<FileHandle> {
  const notFound = (cause?: unknown): LockerError =>
    new LockerError('BACKUP_NOT_FOUND', `Backup not found: ${fileName}.`, { cause, details: { fileName } });
  let handle: FileHandle;
  try {
    handle = await open(path.join(backupDir, fileName), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') throw notFound(error);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new LockerError('PERMISSION_DENIED', `Permission denied: cannot read ${path.join(backupDir, fileName)}.`, { cause: error });
    }
    throw error;
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw notFound();
  }
  return handle;
}
