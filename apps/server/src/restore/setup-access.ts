/**
 * The access rules (auth/access-rules.ts) for the restore work that costs the server: the raw
 * upload route and `restore.start`. Beside the decision, this edge does what has state: it counts
 * an attempt with the setup limiter (and gives it back when the work could not start), and writes
 * a `restore.refused` audit line for every refusal, with the client address. A refusal is thrown
 * as the server's refusal error (UNAUTHORIZED or TOO_MANY_REQUESTS); the upload route answers it
 * through `toHttpError`, procedures throw it on.
 */
import { audit, type AuditLogger } from '../audit.ts';
import { readAccessFacts } from '../auth/access-facts.ts';
import { decideSessionAccess, decideSetupAccess, decideSetupAttempt, refusalError, type AccessRefusal } from '../auth/access-rules.ts';
import type { SetupAction } from '../auth/setup-attempt-limiter.ts';
import type { ServerServices } from '../trpc/context.ts';

/** The facts of one request the checks need. */
export interface AccessRequest {
  clientAddress: string;
  /** Value of the `el_session` cookie, if sent. */
  sessionToken: string | undefined;
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

const FREE: SetupAdmission = { pendingUploads: undefined, refund: () => undefined };

/**
 * Writes the `restore.refused` audit line for a refusal of the restore work at `path` (an upload,
 * `restore.start`, or a procedure of setupProcedure).
 */
export function auditRestoreRefusal(log: AuditLogger, clientAddress: string, path: string, refused: AccessRefusal): void {
  const why = refused.reason === 'rate limit' ? 'too many attempts' : 'not logged in';
  audit(log, 'restore.refused', { ip: clientAddress, path, reason: refused.reason }, `Restore attempt refused: ${why}`);
}

function refuse(request: AccessRequest, path: string, refused: AccessRefusal): never {
  auditRestoreRefusal(request.log, request.clientAddress, path, refused);
  throw refusalError(refused);
}

/**
 * Throws UNAUTHORIZED or TOO_MANY_REQUESTS (and writes a `restore.refused` audit line) when the
 * setup rule refuses `action`; counts it otherwise.
 */
export function checkSetupAccess(
  services: Pick<ServerServices, 'instance' | 'setupLimiter'>,
  request: AccessRequest,
  action: SetupAction,
): SetupAdmission {
  const path = { upload: 'upload', restore: 'restore.start', offsite: 'setup.offsiteBackups' }[action];
  const decision = decideSetupAccess(readAccessFacts(services.instance, request.sessionToken));
  if (!decision.allowed) refuse(request, path, decision);
  if (!decision.counted) return FREE;
  const { setupLimiter } = services;
  const attempt = decideSetupAttempt(action, setupLimiter.consume(action, request.clientAddress));
  if (!attempt.allowed) refuse(request, path, attempt);
  let refunded = false;
  return {
    pendingUploads: attempt.pendingUploads,
    refund: () => {
      if (refunded) return;
      refunded = true;
      setupLimiter.refund(action, request.clientAddress);
    },
  };
}

/**
 * Throws UNAUTHORIZED (and writes a `restore.refused` audit line for `path`) when the session rule
 * (protectedProcedure's) refuses the request.
 */
export function checkSessionAccess(services: Pick<ServerServices, 'instance'>, request: AccessRequest, path: string): void {
  const decision = decideSessionAccess(readAccessFacts(services.instance, request.sessionToken));
  if (!decision.allowed) refuse(request, path, decision);
}
