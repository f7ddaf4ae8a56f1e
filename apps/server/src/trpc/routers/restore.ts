/**
 * Restore: look at an upload (`POST /api/uploads` staged and validated it), discard it, or restore
 * it (or a stored backup) as a `restore` job. Follow the job with `jobs.watch` (or `jobs.get`);
 * its `result` is a RestoreJobResult (restore/restore-job-result.ts).
 *
 * Who may: `uploaded`, `discard` and `start({ uploadId })` follow the setup rule (a session when
 * an admin password is set; otherwise open, and while unconfigured each restore started counts
 * against the address's 5 an hour, restore/setup-access.ts). `start({ fileName })` restores a
 * backup already in the backup directory and follows the protected rule.
 *
 * A sealed stored backup is opened with `start({ fileName, key })`'s key when given (an identity's
 * text or a passphrase, seal/open-key.ts), else with the keys this instance holds.
 *
 * From a target (issue 18), the copy streams from the target into the restore, never saved whole
 * first (restore/start-target-restore.ts): `start({ target: { id }, name, key? })` restores a copy
 * at a stored target (the protected rule); `start({ offsite: { target: TargetDraft, name }, key? })`
 * one at a target the setup wizard describes (the setup rule, counted as a restore). An unreachable
 * target, a refused login, an unaccepted SFTP host key (TARGET_HOST_KEY_UNKNOWN, details.fingerprint)
 * or a missing copy is refused before anything is queued. Once restored, the restored config keeps
 * that target (the job result's `offsiteTarget`).
 *
 * A restore logs everyone out, the client that ran it included (restore-running-instance.ts).
 */
import { z } from 'zod';
import { refusal } from '../../errors/server-refusal.ts';
import { JobSnapshotSchema } from '../../jobs/job-snapshot.ts';
import { enqueueRestore } from '../../restore/enqueue-restore.ts';
import { UploadInfoSchema, uploadInfoOf } from '../../restore/upload-info.ts';
import { resolveStoredBackup } from '../../restore/resolve-stored-backup.ts';
import { serverSchedules } from '../../restore/schedule-pause.ts';
import { instanceSealSettings } from '../../seal/instance-seal-settings.ts';
import { openKeyFor, openKeyOfInput, OpenKeyInputSchema } from '../../seal/open-key.ts';
import { startOffsiteRestore, startStoredTargetRestore } from '../../restore/start-target-restore.ts';
import { TargetDraftSchema } from '../../targets/target-draft.ts';
import { checkSessionAccess, checkSetupAccess, type AccessRequest } from '../../restore/setup-access.ts';
import { UPLOAD_GONE_MESSAGE } from '../../restore/upload-store.ts';
import type { Context } from '../context.ts';
import { publicProcedure, router, setupProcedure } from '../init.ts';

const UploadIdSchema = z.object({ uploadId: z.string().uuid({ message: 'Not an upload id.' }) });

export const RestoreStartInputSchema = z.union([
  UploadIdSchema.strict(),
  // `key` opens a sealed backup sealed with a key this instance no longer holds (else its own keys do).
  z.object({ fileName: z.string().min(1).max(255), key: OpenKeyInputSchema.optional() }).strict(),
  // A copy at a stored target (the protected rule).
  z
    .object({
      target: z.object({ id: z.uuid({ error: 'Not a target id.' }) }).strict(),
      name: z.string().min(1).max(255),
      key: OpenKeyInputSchema.optional(),
    })
    .strict(),
  // A copy at a target the setup wizard describes (the setup rule, counted as a restore).
  z
    .object({
      offsite: z.object({ target: TargetDraftSchema, name: z.string().min(1).max(255) }).strict(),
      key: OpenKeyInputSchema.optional(),
    })
    .strict(),
]);
export type RestoreStartInput = z.infer<typeof RestoreStartInputSchema>;

function uploadGone() {
  return refusal('NOT_FOUND', 'UPLOAD_GONE', UPLOAD_GONE_MESSAGE);
}

function accessRequest(ctx: Context): AccessRequest {
  return { clientAddress: ctx.request.clientAddress, sessionToken: ctx.request.sessionToken, log: ctx.request.log };
}

export const restoreRouter = router({
  /** Upload limits, so a client can refuse a too-large file before sending it. */
  limits: publicProcedure
    .output(z.object({ maxUploadBytes: z.number(), uploadTtlSeconds: z.number() }))
    .query(({ ctx }) => ({ maxUploadBytes: ctx.uploads.maxBytes, uploadTtlSeconds: Math.round(ctx.uploads.ttlMs / 1000) })),

  /** The validation of a staged upload; NOT_FOUND once it expired or was restored. */
  uploaded: setupProcedure
    .input(UploadIdSchema)
    .output(UploadInfoSchema)
    .query(({ ctx, input }) => {
      const upload = ctx.uploads.get(input.uploadId);
      if (!upload) throw uploadGone();
      return uploadInfoOf(upload);
    }),

  /**
   * Deletes a staged upload at once: the user picked another file, chose "Choose another file" or
   * went back. `discarded` is false when it was not waiting (unknown, expired, being restored).
   */
  discard: setupProcedure
    .input(UploadIdSchema)
    .output(z.object({ discarded: z.boolean() }))
    .mutation(async ({ ctx, input }) => ({ discarded: await ctx.uploads.discard(input.uploadId) })),

  /**
   * Queues a restore of an upload (`{ uploadId }`) or of a stored backup (`{ fileName }`) and
   * returns the job's first snapshot. CONFLICT (BUSY) while another restore or demo seeding is
   * queued or running; NOT_FOUND for an unknown, expired or already restored upload.
   */
  start: publicProcedure
    .input(RestoreStartInputSchema)
    .output(JobSnapshotSchema)
    .mutation(async ({ ctx, input }) => {
      const access = accessRequest(ctx);
      const common = {
        jobs: ctx.jobs,
        instance: ctx.instance,
        uploads: ctx.uploads,
        schedule: serverSchedules(ctx),
        clientAddress: ctx.request.clientAddress,
        log: ctx.request.log,
      };
      if ('uploadId' in input) {
        const admission = checkSetupAccess(ctx, access, 'restore');
        const upload = ctx.uploads.claim(input.uploadId);
        if (!upload) {
          admission.refund();
          throw uploadGone();
        }
        try {
          return enqueueRestore({ ...common, source: { kind: 'upload', upload } });
        } catch (error) {
          admission.refund();
          throw error;
        }
      }
      if ('offsite' in input) {
        const admission = checkSetupAccess(ctx, access, 'restore');
        try {
          const key = input.key === undefined ? undefined : openKeyOfInput(input.key);
          return await startOffsiteRestore(common, { draft: input.offsite.target, name: input.offsite.name, key });
        } catch (error) {
          // Refused before anything changed (unreachable, host key, missing copy, busy): not counted.
          admission.refund();
          throw error;
        }
      }
      checkSessionAccess(ctx, access, 'restore.start');
      if ('target' in input) {
        const key = input.key === undefined ? undefined : openKeyOfInput(input.key);
        return startStoredTargetRestore(common, { id: input.target.id, name: input.name, key });
      }
      const path = await resolveStoredBackup(ctx.instance.backupPath, input.fileName);
      const key = await openKeyFor(instanceSealSettings(ctx.instance), path, input.key);
      return enqueueRestore({ ...common, source: { kind: 'backup', fileName: input.fileName, path, key } });
    }),
});
