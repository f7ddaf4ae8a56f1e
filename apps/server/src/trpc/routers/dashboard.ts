/**
 * What the instance holds: the configured modem (never its password), demo mode, row counts of
 * both databases with the evidence they hold, the history's date range and snapshots per day, the
 * schedule's state (null until a schedule runs in this process), and whether the evidence is safe
 * (backups/backup-protection.ts), decided from what is really in the backup directories.
 */
import { formatLocalIso, isLockerError, listBackups } from '@evidence-locker/core';
import { z } from 'zod';
import { BackupProtectionSchema, decideBackupProtection, type DirectoryListingOutcome } from '../../backups/backup-protection.ts';
import { DashboardCountsSchema } from '../../instance/dashboard-counts.ts';
import { ScheduleStateSchema } from '../../schedule-state.ts';
import { protectedProcedure, router } from '../init.ts';

export const DashboardSchema = z.object({
  modem: z.object({ type: z.string(), url: z.string().nullable(), user: z.string().nullable() }).nullable(),
  demoMode: z.boolean(),
  configured: z.boolean(),
  databases: DashboardCountsSchema,
  schedule: ScheduleStateSchema.nullable(),
  protection: BackupProtectionSchema,
});
export type Dashboard = z.infer<typeof DashboardSchema>;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The archives in `dir` (no meta read: names, sizes and times are all the line needs), or why not. */
async function listDirectory(dir: string): Promise<DirectoryListingOutcome> {
  try {
    return { dir, backups: await listBackups(dir, { readMeta: false }) };
  } catch (error) {
    if (!isLockerError(error)) throw error;
    const details: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(error.details ?? {})) {
      if (typeof value === 'string' || typeof value === 'number') details[key] = value;
    }
    return { dir, error: { code: error.code, message: error.message, details } };
  }
}

export const dashboardRouter = router({
  summary: protectedProcedure.output(DashboardSchema).query(async ({ ctx }) => {
    const { config, demoMode, configured } = ctx.instance.snapshot;
    const modemType = config['modem_type'];
    const schedule = ctx.scheduleState();
    const [databases, current, ...earlier] = await Promise.all([
      ctx.instance.readDashboardCounts(),
      listDirectory(ctx.instance.backupPath),
      ...(schedule?.previousBackupPaths ?? []).map(listDirectory),
    ]);
    const protection = decideBackupProtection({
      now: new Date(),
      current,
      earlier,
      schedule,
      lastDownloadAt: ctx.downloads.lastFinishedAt,
      formatTime: formatLocalIso,
    });
    return {
      modem:
        modemType === undefined
          ? null
          : {
              type: typeof modemType === 'string' ? modemType : JSON.stringify(modemType),
              url: text(config['modem_url']),
              user: text(config['modem_user']),
            },
      demoMode,
      configured,
      databases,
      schedule,
      protection,
    };
  }),
});
