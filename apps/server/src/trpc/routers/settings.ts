/**
 * The backup settings: backup_enabled, backup_path, backup_interval_hours, backup_retention, and
 * the retention by age (backup_retention_days/_daily/_weekly/_monthly, 0 = off,
 * backup_retention_include_manual and backup_retention_include_pre_restore). `retentionPreview` tells which existing backups a rule would
 * delete, at the backup directory or at a target, before it is saved.
 * Saving validates each value (interval 24 or 168, retention 1..100, path inside BROWSE_ROOTS and
 * outside the data directory, no NUL byte, and a directory that takes a test file written, read
 * back and removed: settings/check-backup-path.ts) and tells the schedule. Reading shows where backups
 * really go, and warns when config.json's backup_path breaks the same rule (instance/instance.ts).
 */
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { checkBackupPath } from '../../settings/check-backup-path.ts';
import {
  BackupSettingsSchema,
  BackupSettingsUpdateSchema,
  readBackupSettings,
  type BackupSettings,
} from '../../settings/backup-settings.ts';
import { RetentionPreviewInputSchema, RetentionPreviewSchema, retentionPreview } from '../../settings/retention-preview.ts';
import type { Context } from '../context.ts';
import { protectedProcedure, router } from '../init.ts';

const RETENTION_INPUT_KEYS = [
  'backup_retention_days',
  'backup_retention_daily',
  'backup_retention_weekly',
  'backup_retention_monthly',
  'backup_retention_include_manual',
  'backup_retention_include_pre_restore',
] as const;

const BackupPathWarningSchema = z.object({
  /** config.json's backup_path, which is not used. */
  path: z.string(),
  /** PATH_NOT_ALLOWED (outside BROWSE_ROOTS), BACKUP_PATH_IN_DATA_DIR or INVALID_ARGUMENT. */
  code: z.string(),
  message: z.string(),
});

const SettingsOutputSchema = BackupSettingsSchema.extend({
  browseRoots: BackupSettingsSchema.shape.backup_path.array(),
  /**
   * Set when config.json (hand-edited, or restored) holds a backup_path the rule refuses: backups
   * go to `backup_path` (BACKUP_DIR) instead until another path is saved. Null otherwise.
   */
  backupPathWarning: BackupPathWarningSchema.nullable(),
});

function currentSettings(ctx: Context): z.infer<typeof SettingsOutputSchema> {
  const { config, backupPathRefused } = ctx.instance.snapshot;
  const settings: BackupSettings = readBackupSettings(config, ctx.instance.backupPath);
  return { ...settings, browseRoots: [...ctx.instance.browseRoots], backupPathWarning: backupPathRefused };
}

export const settingsRouter = router({
  get: protectedProcedure.output(SettingsOutputSchema).query(({ ctx }) => currentSettings(ctx)),

  update: protectedProcedure
    .input(BackupSettingsUpdateSchema)
    .output(SettingsOutputSchema)
    .mutation(async ({ ctx, input }) => {
      const patch: Record<string, string | number | boolean> = {};
      if (input.backup_path !== undefined) {
        patch['backup_path'] = await checkBackupPath(input.backup_path, {
          dataDir: ctx.instance.dataDir,
          browseRoots: ctx.instance.browseRoots,
        });
      }
      if (input.backup_enabled !== undefined) patch['backup_enabled'] = input.backup_enabled;
      if (input.backup_interval_hours !== undefined) patch['backup_interval_hours'] = input.backup_interval_hours;
      if (input.backup_retention !== undefined) patch['backup_retention'] = input.backup_retention;
      for (const key of RETENTION_INPUT_KEYS) {
        const value = input[key];
        if (value !== undefined) patch[key] = value;
      }
      if (Object.keys(patch).length > 0) {
        await ctx.instance.updateConfig(patch);
        await ctx.onBackupSettingsChanged();
        audit(ctx.request.log, 'settings.updated', { ip: ctx.request.clientAddress, keys: Object.keys(patch) }, 'Backup settings saved');
      }
      return currentSettings(ctx);
    }),

  /**
   * Which existing backups `rule` would delete at `location` now (nothing is deleted): the backup
   * directory, or a target's copies this instance sent (its listing; a failed listing is the
   * target's error). The settings page shows it before a changed rule is saved.
   */
  retentionPreview: protectedProcedure
    .input(RetentionPreviewInputSchema)
    .output(RetentionPreviewSchema)
    .query(({ ctx, input }) => retentionPreview(ctx.instance, ctx.verifications, input)),
});
