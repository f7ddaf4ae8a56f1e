/**
 * Offsite targets (S3-compatible storage, SFTP, WebDAV) in the settings: list with each target's
 * state, add, edit, remove, "Test connection", the copies a target holds and deleting one, and
 * pushing a stored backup by hand. New backups are pushed by the server itself (targets/target-pusher.ts).
 *
 * Secrets are write-only: they go in through add/update/test and never come back (publicTarget
 * says only which are set); they are stored Fernet-encrypted in config.json and never logged.
 * Adding, editing, removing, testing and deleting a copy write an audit line with the client address.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import {
  forgetCopy,
  forgetTarget,
  formatTargetUrl,
  isBackupFileName,
  LockerError,
  openTarget,
  probeTarget,
  publicTarget,
  PublicTargetSchema,
  readTargetState,
  TargetFailureSchema,
  type BackupTarget,
  type TargetConfig,
} from '@evidence-locker/core';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { refusal } from '../../errors/server-refusal.ts';
import { JobSnapshotSchema } from '../../jobs/job-snapshot.ts';
import { backupCopies, BackupCopySchema } from '../../targets/backup-copies.ts';
import { changeInstanceTargets, findInstanceTarget, instanceTargets } from '../../targets/instance-targets.ts';
import { draftTarget, TargetDraftSchema } from '../../targets/target-draft.ts';
import { targetSealKey } from '../../targets/target-seal.ts';
import { updatedTarget } from '../../targets/updated-target.ts';
import type { Context } from '../context.ts';
import { protectedProcedure, router } from '../init.ts';

export const TargetStatusSchema = z.object({
  lastSuccessAt: z.string().nullable(),
  /** The name at the target of the last copy that arrived. */
  lastSuccessName: z.string().nullable(),
  /** The last failure since the last success, with its code (TARGET_… mostly) and message. */
  lastFailure: TargetFailureSchema.nullable(),
  /** When the next try is due, or null when none is planned. */
  nextTryAt: z.string().nullable(),
  /** A push to it is queued or running. */
  pushing: z.boolean(),
});
export type TargetStatus = z.infer<typeof TargetStatusSchema>;

export const TargetListSchema = z.object({
  targets: z.array(z.intersection(PublicTargetSchema, z.object({ state: TargetStatusSchema }))),
  /** What is wrong with the stored targets (an entry that is not readable, a secret that no longer decrypts). */
  problems: z.array(z.object({ id: z.string().nullable(), message: z.string() })),
});

const IdInputSchema = z.object({ id: z.uuid({ error: 'id must be a target id (a UUID).' }) });
const BackupNameSchema = z.string({ error: 'fileName must be a backup file name.' }).min(1).max(255);

const TestInputSchema = z.union([z.object({ draft: TargetDraftSchema, id: z.uuid().optional() }), IdInputSchema]);

/** The target to test: a stored one, a draft, or a draft over a stored one (an edit not saved yet). */
function targetToTest(ctx: Context, input: z.infer<typeof TestInputSchema>): TargetConfig {
  if (!('draft' in input)) return findInstanceTarget(ctx.instance, input.id);
  if (input.id !== undefined) return updatedTarget(findInstanceTarget(ctx.instance, input.id), input.draft);
  return draftTarget(input.draft);
}

async function withTarget<T>(target: TargetConfig, work: (remote: BackupTarget) => Promise<T>): Promise<T> {
  const remote = await openTarget(target);
  try {
    return await work(remote);
  } finally {
    await remote.close().catch(() => undefined);
  }
}

function notFound(id: string): never {
  throw refusal('NOT_FOUND', 'TARGET_NOT_FOUND', `There is no offsite target with the id ${id} (any more).`, { id });
}

function auditFields(ctx: Context, target: TargetConfig): { ip: string; id: string; name: string; kind: string; location: string } {
  return { ip: ctx.request.clientAddress, id: target.id, name: target.name, kind: target.kind, location: formatTargetUrl(target) };
}

export const targetsRouter = router({
  list: protectedProcedure.output(TargetListSchema).query(async ({ ctx }) => {
    const read = instanceTargets(ctx.instance);
    const states = await readTargetState(ctx.instance.dataDir);
    return {
      targets: read.targets.map((target) => {
        const state = states[target.id];
        return {
          ...publicTarget(target),
          state: {
            lastSuccessAt: state?.lastSuccessAt ?? null,
            lastSuccessName: state?.lastSuccessName ?? null,
            lastFailure: state?.lastFailure ?? null,
            nextTryAt: state?.nextTryAt ?? null,
            pushing: ctx.targetPusher.pushing(target.id),
          },
        };
      }),
      problems: read.problems.map((problem) => ({ id: problem.id ?? null, message: problem.message })),
    };
  }),

  /** Adds a target (secrets write-only). Sealed by default: refused with TARGET_SEAL_NO_KEY when there is no key to seal with. */
  add: protectedProcedure
    .input(TargetDraftSchema)
    .output(PublicTargetSchema)
    .mutation(async ({ ctx, input }) => {
      const target = draftTarget(input);
      targetSealKey(target, ctx.instance);
      await changeInstanceTargets(ctx.instance, (targets) => ({ targets: [...targets, target], answer: undefined }));
      audit(ctx.request.log, 'target.added', { ...auditFields(ctx, target), sealed: target.sealed }, 'Offsite target added');
      return publicTarget(findInstanceTarget(ctx.instance, target.id));
    }),

  /** Edits a target: a secret left out or empty stays as stored; hostKeyFingerprint absent keeps the pinned key. */
  update: protectedProcedure
    .input(TargetDraftSchema.extend({ id: z.uuid({ error: 'id must be a target id (a UUID).' }) }))
    .output(PublicTargetSchema)
    .mutation(async ({ ctx, input }) => {
      const { id, ...draft } = input;
      const changed = await changeInstanceTargets(ctx.instance, (targets) => {
        const existing = targets.find((target) => target.id === id) ?? notFound(id);
        const target = updatedTarget(existing, draft);
        targetSealKey(target, ctx.instance);
        return { targets: targets.map((candidate) => (candidate.id === id ? target : candidate)), answer: target };
      });
      audit(ctx.request.log, 'target.updated', { ...auditFields(ctx, changed), sealed: changed.sealed }, 'Offsite target changed');
      return publicTarget(findInstanceTarget(ctx.instance, id));
    }),

  /** Removes a target from this instance; the copies on it are left there. */
  remove: protectedProcedure
    .input(IdInputSchema)
    .output(z.object({ id: z.string(), name: z.string(), copiesLeft: z.literal(true), message: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const removed = await changeInstanceTargets(ctx.instance, (targets) => {
        const target = targets.find((candidate) => candidate.id === input.id) ?? notFound(input.id);
        return { targets: targets.filter((candidate) => candidate.id !== input.id), answer: target };
      });
      ctx.targetPusher.forget(input.id);
      ctx.alertCenter.forgetTarget(input.id);
      await forgetTarget(ctx.instance.dataDir, input.id);
      audit(ctx.request.log, 'target.removed', auditFields(ctx, removed), 'Offsite target removed');
      return {
        id: removed.id,
        name: removed.name,
        copiesLeft: true as const,
        message: `"${removed.name}" was removed from this instance. The copies already on it are left there; delete them there if they are no longer wanted.`,
      };
    }),

  /**
   * Test connection: writes, reads back and deletes a probe file. An SFTP server not seen before is
   * TARGET_HOST_KEY_UNKNOWN with `details.fingerprint`; testing again with the draft's
   * hostKeyFingerprint set to it accepts it.
   */
  test: protectedProcedure
    .input(TestInputSchema)
    .output(z.object({ elapsedMs: z.number(), entries: z.number() }))
    .mutation(async ({ ctx, input }) => {
      const target = targetToTest(ctx, input);
      const fields = { ...auditFields(ctx, target), ...('draft' in input ? { draft: true } : {}) };
      try {
        const result = await withTarget(target, (remote) => probeTarget(remote));
        audit(ctx.request.log, 'target.tested', { ...fields, ok: true, elapsedMs: result.elapsedMs }, 'Offsite target tested');
        return result;
      } catch (error) {
        const code = error instanceof LockerError ? error.code : 'INTERNAL';
        audit(ctx.request.log, 'target.tested', { ...fields, ok: false, code }, 'Offsite target test failed');
        throw error;
      }
    }),

  /** The backups the target holds, newest first (temp and other files left out). */
  copies: protectedProcedure
    .input(IdInputSchema)
    .output(z.object({ entries: z.array(BackupCopySchema) }))
    .query(async ({ ctx, input }) => {
      const target = findInstanceTarget(ctx.instance, input.id);
      const uploaded = new Set((await readTargetState(ctx.instance.dataDir))[target.id]?.uploaded ?? []);
      const entries = await withTarget(target, (remote) => remote.list());
      return { entries: backupCopies(entries, uploaded) };
    }),

  /** Deletes one backup from the target (any backup there, whoever sent it: the user chose it). */
  deleteCopy: protectedProcedure
    .input(IdInputSchema.extend({ name: BackupNameSchema }))
    .output(z.object({ name: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const target = findInstanceTarget(ctx.instance, input.id);
      if (!isBackupFileName(input.name)) {
        throw new LockerError('BACKUP_NAME_INVALID', `Not a backup file name: ${JSON.stringify(input.name)}.`, {
          details: { fileName: input.name },
        });
      }
      await withTarget(target, async (remote) => {
        if ((await remote.stat(input.name)) === null) {
          throw new LockerError('TARGET_OBJECT_MISSING', `${remote.location}: There is no backup ${input.name} on the target (any more).`, {
            details: { location: remote.location, name: input.name },
          });
        }
        await remote.delete(input.name);
      });
      await forgetCopy(ctx.instance.dataDir, target.id, input.name);
      audit(
        ctx.request.log,
        'target.copy-deleted',
        { ...auditFields(ctx, target), file: input.name },
        'Copy deleted from an offsite target',
      );
      return { name: input.name };
    }),

  /**
   * Sends a stored backup (in the backup path) to the target `id`, or to every enabled target: one
   * `push` job per target, cancellable, progress in bytes; failures are retried like automatic pushes.
   */
  push: protectedProcedure
    .input(z.object({ fileName: BackupNameSchema, id: z.uuid().optional() }))
    .output(z.object({ jobs: z.array(JobSnapshotSchema) }))
    .mutation(async ({ ctx, input }) => {
      const backupDir = ctx.instance.backupPath;
      if (!isBackupFileName(input.fileName)) {
        throw new LockerError('BACKUP_NAME_INVALID', `Not a backup file name: ${JSON.stringify(input.fileName)}.`, {
          details: { fileName: input.fileName },
        });
      }
      const local = await lstat(path.join(backupDir, input.fileName)).catch(() => undefined);
      if (!local?.isFile()) {
        throw new LockerError('BACKUP_NOT_FOUND', `Backup not found: ${input.fileName}.`, { details: { fileName: input.fileName } });
      }
      const targets =
        input.id === undefined
          ? instanceTargets(ctx.instance).targets.filter((target) => target.enabled && target.unusable === undefined)
          : [findInstanceTarget(ctx.instance, input.id)];
      return { jobs: targets.map((target) => ctx.targetPusher.push(target.id, input.fileName, backupDir)) };
    }),
});
