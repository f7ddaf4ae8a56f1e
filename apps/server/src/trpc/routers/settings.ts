/**
 * The backup settings: backup_enabled, backup_path, backup_interval_hours, backup_retention.
 * Saving validates each value (interval 24 or 168, retention 1..100, path inside BROWSE_ROOTS and
 * outside the data directory) and tells the schedule.
 */
import { audit } from '../../audit.ts';
import { checkBackupPath } from '../../settings/check-backup-path.ts';
import {
  BackupSettingsSchema,
  BackupSettingsUpdateSchema,
  readBackupSettings,
  type BackupSettings,
} from '../../settings/backup-settings.ts';
import type { Context } from '../context.ts';
import { protectedProcedure, router } from '../init.ts';

function currentSettings(ctx: Context): BackupSettings & { browseRoots: string[] } {
  const settings = readBackupSettings(ctx.instance.snapshot.config, ctx.instance.backupDir);
  return { ...settings, browseRoots: [...ctx.instance.browseRoots] };
}

const SettingsOutputSchema = BackupSettingsSchema.extend({
  browseRoots: BackupSettingsSchema.shape.backup_path.array(),
});

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
      if (Object.keys(patch).length > 0) {
        await ctx.instance.updateConfig(patch);
        ctx.onBackupSettingsChanged();
        audit(ctx.request.log, 'settings.updated', { ip: ctx.request.clientAddress, keys: Object.keys(patch) }, 'Backup settings saved');
      }
      return currentSettings(ctx);
    }),
});
