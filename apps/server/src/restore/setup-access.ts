/**
 * The setup rule for restore work outside tRPC's setupProcedure (the raw upload route, and
 * `restore.start` whose `fileName` variant follows the protected rule instead), with the same
 * messages as trpc/init.ts:
 * - an admin password is set: a session is needed (401);
 * - configured without a password: open, like DOCSight;
 * - unconfigured: open, but limited per client address (5 an hour), where an attempt carries the
 *   upload id as key, so an upload and the restore of that upload count once.
 */
import { TRPCError } from '@trpc/server';
import { audit, type AuditLogger } from '../audit.ts';
import type { ServerServices } from '../trpc/context.ts';

/** The facts of one request the rule needs. */
export interface AccessRequest {
  clientAddress: string;
  /** Whether the request carries a valid session (only asked when an admin password is set). */
  authenticated: boolean;
  log: AuditLogger;
}

/** Message of every 401 (the same as protectedProcedure's). */
export const LOGIN_REQUIRED_MESSAGE = 'Log in first: this instance has an admin password.';

/**
 * Throws UNAUTHORIZED or TOO_MANY_REQUESTS (and writes a `restore.refused` audit line) when the
 * setup rule refuses the request; counts the attempt under `key` otherwise.
 */
export function checkSetupAccess(
  services: Pick<ServerServices, 'instance' | 'setupLimiter'>,
  request: AccessRequest,
  what: string,
  key: string | undefined,
): void {
  const { instance } = services;
  if (instance.hasAdminPassword) {
    if (!request.authenticated) {
      audit(request.log, 'restore.refused', { ip: request.clientAddress, path: what, reason: 'not logged in' }, 'Restore attempt refused: not logged in');
      throw new TRPCError({ code: 'UNAUTHORIZED', message: LOGIN_REQUIRED_MESSAGE });
    }
    return;
  }
  if (instance.snapshot.configured) return;
  const attempt = services.setupLimiter.consume(request.clientAddress, key);
  if (!attempt.allowed) {
    audit(request.log, 'restore.refused', { ip: request.clientAddress, path: what, reason: 'rate limit' }, 'Restore attempt refused: too many attempts');
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `Too many restore attempts from your address. Try again in ${Math.ceil(attempt.retryAfterSeconds / 60)} minutes.`,
    });
  }
}

/** The protected rule (protectedProcedure's): a session when an admin password is set. */
export function checkSessionAccess(
  services: Pick<ServerServices, 'instance'>,
  request: AccessRequest,
  what: string,
): void {
  if (!services.instance.hasAdminPassword || request.authenticated) return;
  audit(request.log, 'restore.refused', { ip: request.clientAddress, path: what, reason: 'not logged in' }, 'Restore attempt refused: not logged in');
  throw new TRPCError({ code: 'UNAUTHORIZED', message: LOGIN_REQUIRED_MESSAGE });
}
