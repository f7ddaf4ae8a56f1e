/**
 * GET /api/targets/:id/copies/:name  one backup copy at a stored target, streamed from the target
 * to the client as a native browser download (a plain link, no blob in the page's memory), like
 * GET /api/backups/:filename (backup-download-routes.ts):
 * - the session rule (401 JSON when an admin password is set and no session);
 * - only a backup file name (else 400 BACKUP_NAME_INVALID; a target's temp files are not backups),
 *   an unknown target 404 TARGET_NOT_FOUND, a copy the target does not hold 404
 *   TARGET_OBJECT_MISSING, and the target's own failures (unreachable, login, host key) as their
 *   TARGET_ codes: all JSON with a status, since nothing has been sent yet;
 * - Content-Length is the size the target reports, Content-Disposition names the copy;
 * - bytes flow with back-pressure from the target to the socket; when the client goes away the
 *   download from the target is aborted, and the target's connection is closed however it ends.
 */
import { openTarget } from '@evidence-locker/core';
import type { FastifyInstance } from 'fastify';
import { audit } from '../audit.ts';
import { checkCopyName } from '../restore/target-copy-source.ts';
import { findInstanceTarget } from '../targets/instance-targets.ts';
import type { ServerServices } from '../trpc/context.ts';
import { attachmentHeaders } from './backup-download-routes.ts';
import { requireSession } from './session-guard.ts';

/** Registers the route on `app`. */
export function registerTargetCopyRoute(app: FastifyInstance, services: ServerServices): void {
  app.get<{ Params: { id: string; name: string } }>(
    '/api/targets/:id/copies/:name',
    { preHandler: requireSession(services), exposeHeadRoute: false },
    async (request, reply) => {
      const { id, name } = request.params;
      checkCopyName(name);
      const target = await openTarget(findInstanceTarget(services.instance, id));
      const clientGone = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableEnded) clientGone.abort();
      });
      let download: Awaited<ReturnType<typeof target.download>>;
      try {
        download = await target.download(name, { signal: clientGone.signal });
      } catch (error) {
        await target.close().catch(() => undefined);
        throw error;
      }
      const { stream, size } = download;
      stream.once('close', () => {
        void target.close().catch(() => undefined);
      });
      stream.once('error', (error) => {
        request.log.warn({ err: error, target: target.location, file: name }, 'Download of a target copy failed mid-stream');
      });
      audit(
        request.log,
        'backup.downloaded',
        { ip: request.ip, file: name, size, fresh: false, target: target.location },
        'Backup copy downloaded from a target',
      );
      attachmentHeaders(reply, name, size);
      return reply.send(stream);
    },
  );
}
