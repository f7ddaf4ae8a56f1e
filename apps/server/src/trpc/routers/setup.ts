/**
 * First run: is the instance configured, start demo mode, or configure a modem (and optionally an
 * admin password) as DOCSight's setup wizard does. Restoring a backup onto a fresh instance is the
 * restore router's business.
 */
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { refusal } from '../../errors/server-refusal.ts';
import { enqueueDemoSeed } from '../../demo/enqueue-demo-seed.ts';
import { issueSessionToken } from '../../auth/session-token.ts';
import { MODEM_TYPES, ModemTypeSchema } from '../../setup/modem-types.ts';
import { decideSessionAccess } from '../../auth/access-rules.ts';
import { accessFactsOf } from '../context.ts';
import { protectedProcedure, publicProcedure, router } from '../init.ts';
import { listOffsiteBackups } from '../../restore/offsite-backups.ts';
import { checkSetupAccess } from '../../restore/setup-access.ts';
import { serverSchedules } from '../../restore/schedule-pause.ts';
import { BackupCopySchema } from '../../targets/backup-copies.ts';
import { TargetDraftSchema } from '../../targets/target-draft.ts';

export const SetupStateSchema = z.object({
  /** DOCSight's is_configured: demo mode, or a saved modem_type. */
  configured: z.boolean(),
  demoMode: z.boolean(),
  /** True when DEMO_MODE in the environment decides demo mode (the UI cannot change it). */
  demoModeForced: z.boolean(),
  hasAdminPassword: z.boolean(),
  /** True when protected routes will answer 401 until this client logs in. */
  needsLogin: z.boolean(),
});
export type SetupState = z.infer<typeof SetupStateSchema>;

export const StartDemoResultSchema = z.object({
  configured: z.boolean(),
  demoMode: z.boolean(),
  /** The `demo-seed` job filling the databases. */
  jobId: z.string(),
});

export const CompleteSetupInputSchema = z.object({
  modemType: ModemTypeSchema,
  modemUrl: z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^\s/]+/i.test(value), {
      message: 'The modem URL must start with http:// or https:// and name a host.',
    }),
  modemUser: z.string().max(256, { message: 'The modem user name is too long.' }),
  modemPassword: z.string().max(1024, { message: 'The modem password is too long.' }),
  /** Optional; at least 8 characters, since it is the only lock on backups and restores. */
  adminPassword: z
    .string()
    .min(8, { message: 'The admin password must have at least 8 characters.' })
    .max(1024, { message: 'The admin password is too long.' })
    .optional(),
});
export type CompleteSetupInput = z.infer<typeof CompleteSetupInputSchema>;

export const setupRouter = router({
  state: publicProcedure.output(SetupStateSchema).query(({ ctx }) => {
    const snapshot = ctx.instance.snapshot;
    const hasAdminPassword = snapshot.adminPasswordRepr !== '';
    return {
      configured: snapshot.configured,
      demoMode: snapshot.demoMode,
      demoModeForced: ctx.instance.demoModeOverride !== undefined,
      hasAdminPassword,
      needsLogin: !decideSessionAccess(accessFactsOf(ctx)).allowed,
    };
  }),

  /**
   * "From offsite storage": the backups at the target the wizard's form describes, newest first
   * (backups only; `sealed` ones need their key to restore). Nothing is saved. The setup rule,
   * each listing counted per address while unconfigured (60 an hour, SETUP_OFFSITE_LIMIT). A
   * mutation: the form's secrets travel in a POST body, never in a URL. An SFTP host key not
   * accepted yet: TARGET_HOST_KEY_UNKNOWN with `details.fingerprint`; ask again with
   * `target.hostKeyFingerprint` set to it.
   */
  offsiteBackups: publicProcedure
    .input(z.object({ target: TargetDraftSchema }).strict())
    .output(z.object({ entries: z.array(BackupCopySchema) }))
    .mutation(async ({ ctx, input, signal }) => {
      checkSetupAccess(
        ctx,
        { clientAddress: ctx.request.clientAddress, sessionToken: ctx.request.sessionToken, log: ctx.request.log },
        'offsite',
      );
      return { entries: await listOffsiteBackups(input.target, signal) };
    }),

  /** DOCSight's modem driver list for the wizard's select. */
  modemTypes: publicProcedure.query(() => MODEM_TYPES),

  /**
   * DOCSight's one-click demo: only on an unconfigured instance; saves `{"demo_mode": true}` and
   * queues a `demo-seed` job that fills the databases with DOCSight's demo rows (about 10 s, in a
   * worker thread). Follow it with `jobs.watch({ id: jobId })`.
   */
  startDemo: protectedProcedure.output(StartDemoResultSchema).mutation(async ({ ctx }) => {
    const snapshot = ctx.instance.snapshot;
    if (snapshot.configured) {
      throw refusal(
        'CONFLICT',
        'DEMO_NEEDS_FRESH_INSTANCE',
        'This instance is already configured; demo mode can only start on a fresh instance.',
      );
    }
    if (ctx.instance.demoModeOverride === false) {
      throw refusal('CONFLICT', 'DEMO_DISABLED', 'DEMO_MODE=false is set in the environment, so demo mode cannot start.');
    }
    // Queued first: the runner refuses it (BUSY) while a restore runs, before config.json changes.
    const job = enqueueDemoSeed({ jobs: ctx.jobs, instance: ctx.instance, schedule: serverSchedules(ctx), log: ctx.request.log });
    let updated;
    try {
      updated = await ctx.instance.updateConfig({ demo_mode: true });
    } catch (error) {
      ctx.jobs.cancel(job.id);
      throw error;
    }
    audit(ctx.request.log, 'demo.started', { ip: ctx.request.clientAddress, jobId: job.id }, 'Demo mode started');
    return { configured: updated.configured, demoMode: updated.demoMode, jobId: job.id };
  }),

  /**
   * Configures the modem like DOCSight's wizard: modem_type, modem_url, modem_user, modem_password
   * (Fernet-encrypted with `.config_key`) and optionally admin_password (werkzeug scrypt hash).
   * Refused once the instance is configured. Setting an admin password logs this client in.
   */
  completeSetup: protectedProcedure.input(CompleteSetupInputSchema).mutation(async ({ ctx, input }) => {
    if (ctx.instance.snapshot.configured) {
      throw refusal(
        'CONFLICT',
        'SETUP_ALREADY_DONE',
        'This instance is already configured; change its settings instead of running setup again.',
      );
    }
    const updated = await ctx.instance.updateConfig({
      modem_type: input.modemType,
      modem_url: input.modemUrl,
      modem_user: input.modemUser,
      modem_password: input.modemPassword,
      ...(input.adminPassword === undefined ? {} : { admin_password: input.adminPassword }),
    });
    if (updated.adminPasswordRepr !== '') {
      ctx.request.setSessionCookie(issueSessionToken(updated.sessionKey, updated.adminPasswordRepr));
    }
    audit(
      ctx.request.log,
      'setup.completed',
      { ip: ctx.request.clientAddress, modemType: input.modemType, adminPassword: updated.adminPasswordRepr !== '' },
      'Setup completed',
    );
    return { configured: updated.configured, hasAdminPassword: updated.adminPasswordRepr !== '' };
  }),
});
