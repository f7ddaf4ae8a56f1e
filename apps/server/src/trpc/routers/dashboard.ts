/**
 * What the instance holds: the configured modem (never its password), demo mode, row counts of
 * both databases with the evidence they hold, the history's date range and snapshots per day, the
 * schedule's state (null until a schedule runs in this process), whether the evidence is safe
 * (backups/backup-protection.ts), decided from what is really in the backup directories, and its
 * health per location with the 3-2-1 picture, the free space and the test restores (health/).
 */
import { z } from 'zod';
import { BackupProtectionSchema } from '../../backups/backup-protection.ts';
import { CopiesSchema, LocationSchema, SpaceSchema } from '../../health/location-health.ts';
import { readHealth } from '../../health/read-health.ts';
import { TestRestoreStateSchema } from '../../proof/test-restore-state.ts';
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
  /** One line per location: the backup directory first, then each offsite target (health/location-health.ts). */
  locations: z.array(LocationSchema),
  /** The 3-2-1 picture of the newest backup. */
  copies: CopiesSchema,
  /** The backup directory's free space and how many more backups fit. */
  space: SpaceSchema,
  /** The test restores: the last result, "restorable as of", the next run. */
  testRestore: TestRestoreStateSchema,
});
export type Dashboard = z.infer<typeof DashboardSchema>;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export const dashboardRouter = router({
  summary: protectedProcedure.output(DashboardSchema).query(async ({ ctx }) => {
    const { config, demoMode, configured } = ctx.instance.snapshot;
    const modemType = config['modem_type'];
    const [databases, health] = await Promise.all([ctx.instance.readDashboardCounts(), readHealth(ctx)]);
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
      schedule: health.schedule,
      protection: health.protection,
      locations: health.locations,
      copies: health.copies,
      space: health.space,
      testRestore: health.testRestore,
    };
  }),
});
