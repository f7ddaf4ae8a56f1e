/**
 * The setup rule for the restore work that costs the server (the raw upload route, and
 * `restore.start` whose `fileName` variant follows the protected rule instead), with the same
 * messages as trpc/init.ts:
 * - an admin password is set: a session is needed (401);
 * - configured without a password: open, like DOCSight;
 * - unconfigured: open, but each upload and each restore is counted per client address
 *   (auth/setup-attempt-limiter.ts: 60 uploads and 5 restores an hour), and an address may have
 *   {@link SETUP_PENDING_UPLOADS} uploads arriving or waiting at once.
 */
import { audit, type AuditLogger } from '../audit.ts';
import { SETUP_PENDING_UPLOADS, type SetupAction } from '../auth/setup-attempt-limiter.ts';
import { refusal } from '../errors/server-refusal.ts';
import type { ServerServices } from '../trpc/context.ts';

/** The facts of one request the rule needs. */
export interface AccessRequest {
  clientAddress: string;
  /** Whether the request carries a valid session (only asked when an admin password is set). */
  authenticated: boolean;
  log: AuditLogger;
}

/** What the setup rule let through. */
export interface SetupAdmission {
  /**
   * Uploads the address may have arriving or waiting at once (the upload store replaces its oldest
   * waiting one past that), or undefined when no per-address bound applies.
   */
  pendingUploads: number | undefined;
  /** Gives the counted attempt back: it could not start (unknown upload, another job busy). */
  refund(): void;
}

/** Message of every 401 (the same as protectedProcedure's). */
export const LOGIN_REQUIRED_MESSAGE = 'Log in first: this instance has an admin password.';

const FREE: SetupAdmission = { pendingUploads: undefined, refund: () => undefined };

/**
 * Throws UNAUTHORIZED or TOO_MANY_REQUESTS (and writes a `restore.refused` audit line) when the
 * setup rule refuses `action`; counts it otherwise.
 */
export function checkSetupAccess(
  services: Pick<ServerServices, 'instance' | 'setupLimiter'>,
  request: AccessRequest,
  action: SetupAction,
): SetupAdmission {
  const { instance } = services;
  const what = action === 'upload' ? 'upload' : 'restore.start';
  if (instance.hasAdminPassword) {
    if (!request.authenticated) {
      audit(request.log, 'restore.refused', { ip: request.clientAddress, path: what, reason: 'not logged in' }, 'Restore attempt refused: not logged in');
      throw refusal('UNAUTHORIZED', 'LOGIN_REQUIRED', LOGIN_REQUIRED_MESSAGE);
    }
    return FREE;
  }
  if (instance.snapshot.configured) return FREE;
  const { setupLimiter } = services;
  const attempt = setupLimiter.consume(action, request.clientAddress);
  if (!attempt.allowed) {
    audit(request.log, 'restore.refused', { ip: request.clientAddress, path: what, reason: 'rate limit' }, 'Restore attempt refused: too many attempts');
    const minutes = Math.ceil(attempt.retryAfterSeconds / 60);
    const noun = action === 'upload' ? 'uploads' : 'restores';
    throw refusal(
      'TOO_MANY_REQUESTS',
      action === 'upload' ? 'SETUP_UPLOAD_LIMIT' : 'SETUP_RESTORE_LIMIT',
      `Too many ${noun} from your address: ${attempt.limit} in the last hour. Try again in ${minutes} minutes.`,
      { limit: attempt.limit, minutes },
    );
  }
  let refunded = false;
  return {
    pendingUploads: SETUP_PENDING_UPLOADS,
    refund: () => {
      if (refunded) return;
      refunded = true;
      setupLimiter.refund(action, request.clientAddress);
    },
  };
}

/** The protected rule (protectedProcedure's): a session when an admin password is set. */
export function checkSessionAccess(
  services: Pick<ServerServices, 'instance'>,
  request: AccessRequest,
  what: string,
): void {
  if (!services.instance.hasAdminPassword || request.authenticated) return;
  audit(request.log, 'restore.refused', { ip: request.clientAddress, path: what, reason: 'not logged in' }, 'Restore attempt refused: not logged in');
  throw refusal('UNAUTHORIZED', 'LOGIN_REQUIRED', LOGIN_REQUIRED_MESSAGE);
}
