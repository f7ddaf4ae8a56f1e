/**
 * Stored backups in the instance's backup path (the saved backup_path, else BACKUP_DIR): list,
 * create ("Backup now": a job that writes a backup and prunes to the retention, as DOCSight's does;
 * sealed with age when the instance seals its backups), delete, verify (a job; a sealed backup is
 * opened with the instance's keys, or with `key` for one sealed with a key it no longer holds), browse directories for the backup-path setting (and make a new folder
 * there), and the schedule's state.
 * Creating, deleting and verifying write an audit line with the client address. Downloads are raw
 * routes (http/backup-download-routes.ts).
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import {
  BackupListEntrySchema,
  browseDirectory,
  createBackupFolder,
  deleteBackup,
  DirectoryListingSchema,
  type DirectoryListing,
  errnoCode,
  isBackupFileName,
  listBackups,
  LockerError,
} from '@evidence-locker/core';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { backupJobSpec } from '../../backups/backup-job.ts';
import { refuseBackupPathInDataDir } from '../../backups/backup-path-guard.ts';
import { VerificationSchema } from '../../backups/backup-verifications.ts';
import { verifyJobSpec } from '../../backups/verify-job.ts';
import { JobSnapshotSchema } from '../../jobs/job-snapshot.ts';
import { ScheduleStateSchema } from '../../schedule-state.ts';
import { instanceIdentities, instanceSealKey, instanceSealSettings } from '../../seal/instance-seal-settings.ts';
import { openKeyFor, OpenKeyInputSchema } from '../../seal/open-key.ts';
import { backupRetentionRule, readBackupSettings } from '../../settings/backup-settings.ts';
import { userPath } from '../../settings/user-path.ts';
import type { Context } from '../context.ts';
import { protectedProcedure, router } from '../init.ts';

export const BackupListItemSchema = BackupListEntrySchema.extend({
  /** The last verification of exactly this file (name, size, mtime), kept in the backup directory; null when none. */
  verified: VerificationSchema.nullable(),
});
export type BackupListItem = z.infer<typeof BackupListItemSchema>;

export const BackupListSchema = z.object({
  /** The directory listed (where Backup now and the schedule write). */
  backupPath: z.string(),
  /** Newest first. */
  backups: z.array(BackupListItemSchema),
});
export type BackupList = z.infer<typeof BackupListSchema>;

const FileNameInputSchema = z.object({
  fileName: z.string({ error: 'fileName must be a backup file name.' }).min(1).max(255),
});

const VerifyInputSchema = FileNameInputSchema.extend({
  /** Opens a backup sealed with a key this instance no longer holds (else its own keys do). */
  key: OpenKeyInputSchema.optional(),
});

const BrowseInputSchema = z.object({ path: userPath(z.string().min(1)).optional() }).optional();

const CreateFolderInputSchema = z.object({
  parent: userPath(z.string({ error: 'parent must be a directory path.' }).min(1)),
  // The name's own rules (core's folderNameProblem) answer with FOLDER_NAME_INVALID; this only bounds the input.
  name: z.string({ error: 'name must be a folder name.' }).max(1024, { error: 'A folder name may have at most 255 bytes.' }),
});

/** BACKUP_NAME_INVALID or BACKUP_NOT_FOUND before a job is queued, so the answer is immediate. */
async function requireStoredBackup(backupPath: string, fileName: string): Promise<void> {
  if (!isBackupFileName(fileName)) {
    throw new LockerError('BACKUP_NAME_INVALID', `Not a backup file name: ${JSON.stringify(fileName)}.`, { details: { fileName } });
  }
  const stats = await lstat(path.join(backupPath, fileName)).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw error;
  });
  if (!stats?.isFile()) {
    throw new LockerError('BACKUP_NOT_FOUND', `Backup not found: ${fileName}.`, { details: { fileName } });
  }
}

/** Browsing without a path: the backup path when it can be listed, else the first root that can. */
async function browseDefault(ctx: Context): Promise<DirectoryListing> {
  const roots = ctx.instance.browseRoots;
  const options = { dataDir: ctx.instance.dataDir };
  for (const candidate of [ctx.instance.backupPath, ...roots.slice(1)]) {
    try {
      return await browseDirectory(candidate, roots, options);
    } catch {
      // Not inside the roots or not there (yet): try the next one.
    }
  }
  // The first root last, so its error (if any) is the one the user sees.
  return browseDirectory(roots[0] ?? ctx.instance.backupPath, roots, options);
}

export const backupsRouter = router({
  list: protectedProcedure.output(BackupListSchema).query(async ({ ctx }) => {
    const backupPath = ctx.instance.backupPath;
    // With the instance's identities, a sealed backup's trigger is read too.
    const entries = await listBackups(backupPath, { identities: instanceIdentities(ctx.instance) });
    return {
      backupPath,
      backups: await Promise.all(entries.map(async (entry) => ({ ...entry, verified: await ctx.verifications.lookup(backupPath, entry) }))),
    };
  }),

  /**
   * Backup now: into the SAVED backup path (DOCSight does the same), pruned to the saved retention.
   * While a Backup now is still queued or running, a second press returns that job instead of
   * queueing another backup.
   */
  create: protectedProcedure.output(JobSnapshotSchema).mutation(async ({ ctx }) => {
    const settings = readBackupSettings(ctx.instance.snapshot.config, ctx.instance.backupPath);
    await refuseBackupPathInDataDir(settings.backup_path, ctx.instance.dataDir);
    const { log, clientAddress } = ctx.request;
    const spec = backupJobSpec({
      dataDir: ctx.instance.dataDir,
      backupDir: settings.backup_path,
      retention: backupRetentionRule(settings),
      identities: () => instanceIdentities(ctx.instance),
      good: async (entry) => (await ctx.verifications.lookup(settings.backup_path, entry))?.ok,
      trigger: 'manual',
      seal: () => instanceSealKey(ctx.instance),
      onSuccess: (result) => {
        ctx.scheduler.noteBackupCreated();
        ctx.targetPusher.backupCreated(result);
        audit(
          log,
          'backup.created',
          { ip: clientAddress, file: result.fileName, size: result.size, sealed: result.sealed, pruned: result.pruned },
          'Backup created',
        );
      },
      onFailure: (error, cause) => {
        log.error({ err: cause, code: error.code, path: settings.backup_path }, `Backup failed: ${error.message}`);
      },
    });
    const active = ctx.jobs
      .list()
      .find((job) => job.kind === 'backup' && job.label === spec.label && (job.state === 'queued' || job.state === 'running'));
    return active ?? ctx.jobs.enqueue(spec);
  }),

  delete: protectedProcedure
    .input(FileNameInputSchema)
    .output(z.object({ fileName: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const backupPath = ctx.instance.backupPath;
      await refuseBackupPathInDataDir(backupPath, ctx.instance.dataDir);
      await deleteBackup(backupPath, input.fileName);
      await ctx.verifications.forget(backupPath, input.fileName);
      audit(ctx.request.log, 'backup.deleted', { ip: ctx.request.clientAddress, file: input.fileName }, 'Backup deleted');
      return { fileName: input.fileName };
    }),

  verify: protectedProcedure
    .input(VerifyInputSchema)
    .output(JobSnapshotSchema)
    .mutation(async ({ ctx, input }) => {
      const backupPath = ctx.instance.backupPath;
      await requireStoredBackup(backupPath, input.fileName);
      const key = await openKeyFor(instanceSealSettings(ctx.instance), path.join(backupPath, input.fileName), input.key);
      const { log, clientAddress } = ctx.request;
      return ctx.jobs.enqueue(
        verifyJobSpec({
          backupDir: backupPath,
          fileName: input.fileName,
          key,
          verifications: ctx.verifications,
          onSuccess: (result) => {
            audit(log, 'backup.verified', { ip: clientAddress, file: result.fileName, ok: true }, 'Backup verified');
          },
          onFailure: (error) => {
            audit(
              log,
              'backup.verified',
              { ip: clientAddress, file: input.fileName, ok: false, code: error.code },
              `Backup verification failed: ${error.message}`,
            );
          },
        }),
      );
    }),

  /**
   * Subdirectories of `path` (default: the backup path, else the first browse root) within
   * BROWSE_ROOTS, with the data directory and what lies inside it marked, and the free space.
   */
  browse: protectedProcedure
    .input(BrowseInputSchema)
    .output(DirectoryListingSchema)
    .query(async ({ ctx, input }) => {
      return input?.path === undefined
        ? browseDefault(ctx)
        : browseDirectory(input.path, ctx.instance.browseRoots, { dataDir: ctx.instance.dataDir });
    }),

  /** "New folder" in the Browse dialog: creates `name` in `parent` (inside BROWSE_ROOTS, not the data directory). */
  createFolder: protectedProcedure
    .input(CreateFolderInputSchema)
    .output(z.object({ path: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const created = await createBackupFolder(input.parent, input.name, ctx.instance.browseRoots, { dataDir: ctx.instance.dataDir });
      audit(ctx.request.log, 'folder.created', { ip: ctx.request.clientAddress, path: created }, 'Folder created for backups');
      return { path: created };
    }),

  /** The backup schedule: enabled (or why not), last success and failure, next run. */
  schedule: protectedProcedure.output(ScheduleStateSchema).query(({ ctx }) => ctx.scheduler.state()),
});
