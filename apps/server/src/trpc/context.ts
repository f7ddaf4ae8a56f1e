/**
 * The tRPC context: the server's long-lived services plus the facts of one request (client
 * address, session cookie, how to set it). Procedures never touch Fastify's request or reply, so
 * router tests build a context with {@link createTestContext}-style objects and no HTTP at all.
 *
 * There is deliberately no API-token authentication (docs/docsight-compatibility.md, D13: DOCSight's
 * read-only integration tokens can download and restore whole backups). A session cookie from a
 * login with the admin password is the only credential.
 */
// Brings in @fastify/cookie's request.cookies / reply.setCookie types.
import type {} from '@fastify/cookie';
import { TRPCError } from '@trpc/server';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { audit, type AuditLogger } from '../audit.ts';
import { readAccessFacts } from '../auth/access-facts.ts';
import type { AccessFacts } from '../auth/access-rules.ts';
import { batchRefusal } from '../auth/batch-refusal.ts';
import type { LoginRateLimiter } from '../auth/login-rate-limiter.ts';
import type { SetupAttemptLimiter } from '../auth/setup-attempt-limiter.ts';
import { SESSION_COOKIE, SESSION_LIFETIME_SECONDS } from '../auth/session-token.ts';
import type { Env } from '../env.ts';
import type { Instance } from '../instance/instance.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { BackupDownloads } from '../backups/backup-downloads.ts';
import type { BackupVerifications } from '../backups/backup-verifications.ts';
import type { BackupScheduler } from '../schedule/backup-scheduler.ts';
import type { ScheduleStateSource } from '../schedule-state.ts';
import type { UploadStore } from '../restore/upload-store.ts';
import type { PendingSealKeys } from '../seal/pending-seal-keys.ts';
import type { TargetPusher } from '../targets/target-pusher.ts';
import type { AlertSignals } from '../alerts/alert-signals.ts';
import type { AlertCenter } from '../alerts/alert-center.ts';
import type { StaleWatch } from '../alerts/stale-watch.ts';
import type { TestRestoreStateSource } from '../proof/test-restore-state.ts';
import type { TestRestoreScheduler } from '../proof/test-restore-scheduler.ts';

/** Long-lived objects shared by every request. */
export interface ServerServices {
  env: Env;
  instance: Instance;
  /** Long work (backup, verify, restore, demo seeding), one job at a time. */
  jobs: JobRunner;
  loginLimiter: LoginRateLimiter;
  setupLimiter: SetupAttemptLimiter;
  /** The schedule's state for the dashboard; returns null while no schedule runs. */
  scheduleState: ScheduleStateSource;
  /** Called after the backup settings were saved, so the schedule re-reads them. */
  onBackupSettingsChanged: () => Promise<void> | void;
  /** Scheduled backups; a restore on the running instance calls pause() and resume(). */
  scheduler: BackupScheduler;
  /** Outcomes of `backups.verify`, for the backup list. */
  verifications: BackupVerifications;
  /** When the last fresh backup download finished, for the dashboard's protection line. */
  downloads: BackupDownloads;
  /** Uploaded archives waiting to be restored (`POST /api/uploads`, `restore.start`). */
  uploads: UploadStore;
  /** Seal keys prepared and waiting for the user to confirm they kept the recovery kit (`seal.prepare`). */
  pendingSealKeys: PendingSealKeys;
  /** Sends each new backup to the offsite targets, retrying failures (`push` jobs). */
  targetPusher: TargetPusher;
  /** Where failures and recoveries of backups, targets, verifications and test restores are reported (issue 19). */
  alerts: AlertSignals;
  /** The alerts' channels, failure states and deliveries (`alerts` router); by default also `alerts`. */
  alertCenter: AlertCenter;
  /** The dead man's switch: no successful scheduled backup for 1.5 intervals (started with the schedule). */
  staleWatch: StaleWatch;
  /** Test restores on their schedule and "Run now" (`proof` router). */
  testRestores: TestRestoreScheduler;
  /** The test restores' state for the dashboard, the settings page and /metrics. */
  testRestoreState: TestRestoreStateSource;
}

/** One request as procedures see it. */
export interface RequestFacts {
  /** The peer address (no X-Forwarded-For: any client can send that header). */
  clientAddress: string;
  /** Value of the `el_session` cookie, if sent. */
  sessionToken: string | undefined;
  setSessionCookie(token: string): void;
  clearSessionCookie(): void;
  /** The request's logger (audit lines go here). */
  log: AuditLogger & { error(fields: object, message: string): void };
}

export interface Context extends ServerServices {
  request: RequestFacts;
}

/** What the access rules (auth/access-rules.ts) decide on for this request, read now. */
export function accessFactsOf(ctx: Context): AccessFacts {
  return readAccessFacts(ctx.instance, ctx.request.sessionToken);
}

/**
 * Builds the per-request context factory for the Fastify adapter. The cookie is HttpOnly,
 * SameSite=Strict (see app.ts for why) and Secure when the request arrived over TLS. A batch that
 * calls a procedure of auth/batch-refusal.ts more than once is refused here: tRPC creates the
 * context before it runs any call, so every call of the batch fails with 400 and none runs.
 */
export function createContextFactory(services: ServerServices) {
  return ({ req, res, info }: CreateFastifyContextOptions): Context => {
    const refused = batchRefusal(info.calls.map((call) => call.path));
    if (refused !== null) {
      audit(req.log, 'login.refused', { ip: req.ip, reason: 'batch', calls: info.calls.length }, 'Login refused: several in one request');
      throw new TRPCError({ code: 'BAD_REQUEST', message: refused });
    }
    const cookieOptions = {
      path: '/',
      httpOnly: true,
      sameSite: 'strict' as const,
      secure: req.protocol === 'https',
    };
    return {
      ...services,
      request: {
        clientAddress: req.ip,
        sessionToken: req.cookies[SESSION_COOKIE],
        setSessionCookie: (token) => {
          res.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: SESSION_LIFETIME_SECONDS });
        },
        clearSessionCookie: () => {
          res.clearCookie(SESSION_COOKIE, cookieOptions);
        },
        log: req.log,
      },
    };
  };
}
