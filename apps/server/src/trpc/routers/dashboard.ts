/**
 * What the instance holds: the configured modem (never its password), demo mode, row counts of
 * both databases, the history's date range, and the schedule's last and next backup (null until a
 * schedule runs in this process).
 */
import { z } from 'zod';
import { DashboardCountsSchema } from '../../instance/dashboard-counts.ts';
import { ScheduleStateSchema } from '../../schedule-state.ts';
import { protectedProcedure, router } from '../init.ts';

export const DashboardSchema = z.object({
  modem: z.object({ type: z.string(), url: z.string().nullable(), user: z.string().nullable() }).nullable(),
  demoMode: z.boolean(),
  configured: z.boolean(),
  databases: DashboardCountsSchema,
  schedule: ScheduleStateSchema.nullable(),
});
export type Dashboard = z.infer<typeof DashboardSchema>;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export const dashboardRouter = router({
  summary: protectedProcedure.output(DashboardSchema).query(async ({ ctx }) => {
    const { config, demoMode, configured } = ctx.instance.snapshot;
    const modemType = config['modem_type'];
    const databases = await ctx.instance.readDashboardCounts();
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
      schedule: ctx.scheduleState(),
    };
  }),
});
