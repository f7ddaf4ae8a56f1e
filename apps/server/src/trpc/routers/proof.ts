/**
 * Proof of restorability (issue 19): the test restores' state ("restorable as of"), "Run now" (a
 * `test-restore` job of the newest backup) and their settings (test_restore_enabled,
 * test_restore_interval_days in config.json). Running and saving write an audit line with the
 * client address.
 */
import { audit } from '../../audit.ts';
import { JobSnapshotSchema } from '../../jobs/job-snapshot.ts';
import { TestRestoreSettingsUpdateSchema, testRestoreSettingsPatch } from '../../proof/test-restore-settings.ts';
import { TestRestoreStateSchema } from '../../proof/test-restore-state.ts';
import { protectedProcedure, router } from '../init.ts';

export const proofRouter = router({
  /** Whether test restores run, the last outcome, the last good one and when the next one starts. */
  state: protectedProcedure.output(TestRestoreStateSchema).query(({ ctx }) => ctx.testRestores.state()),

  /** Starts a test restore of the newest backup now (or returns the one queued or running). */
  run: protectedProcedure.output(JobSnapshotSchema).mutation(async ({ ctx }) => {
    const job = await ctx.testRestores.runNow();
    audit(ctx.request.log, 'backup.test-restore-started', { ip: ctx.request.clientAddress, job: job.id }, 'Test restore started');
    return job;
  }),

  /** Saves whether test restores run on their schedule and how many days apart. */
  update: protectedProcedure
    .input(TestRestoreSettingsUpdateSchema)
    .output(TestRestoreStateSchema)
    .mutation(async ({ ctx, input }) => {
      const patch = testRestoreSettingsPatch(input);
      if (Object.keys(patch).length > 0) {
        await ctx.instance.updateConfig(patch);
        ctx.testRestores.reschedule();
        audit(
          ctx.request.log,
          'settings.updated',
          { ip: ctx.request.clientAddress, keys: Object.keys(patch) },
          'Test restore settings saved',
        );
      }
      return ctx.testRestores.state();
    }),
});
