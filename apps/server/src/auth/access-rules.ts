/**
 * Who may do what: the server's access rules as pure decisions on the facts of one request
 * (auth/access-facts.ts reads them from the instance and the session cookie). A decision is
 * `{ allowed: true, … }` or an {@link AccessRefusal}; the edges only map it:
 * - tRPC: `protectedProcedure` and `setupProcedure` (trpc/init.ts) throw {@link refusalError};
 * - raw routes: `requireSession` (http/session-guard.ts) answers it through `toHttpError`;
 * - restore work that costs the server (restore/setup-access.ts: the upload route and
 *   `restore.start`) also counts the attempt with the setup limiter and writes the audit line.
 *
 * The rules:
 * - session rule: with an admin password set, a valid session is needed (401 `LOGIN_REQUIRED`);
 *   without one everything is open, as in DOCSight.
 * - setup rule: with an admin password set, the session rule; configured without a password: open;
 *   unconfigured: open, but each upload and each restore is counted per client address
 *   (auth/setup-attempt-limiter.ts) and refused past the limit (429), and an address may have
 *   {@link SETUP_PENDING_UPLOADS} uploads arriving or waiting at once.
 */
import type { TRPCError } from '@trpc/server';
import { refusal, type ErrorDetails, type ServerErrorCode } from '../errors/server-refusal.ts';
import { SETUP_PENDING_UPLOADS, type SetupAction, type SetupAttempt } from './setup-attempt-limiter.ts';

/** The facts of one request that the rules decide on. */
export interface AccessFacts {
  /** config.json holds an admin password. */
  hasAdminPassword: boolean;
  /** The instance is configured (DOCSight's is_configured, demo mode included). */
  configured: boolean;
  /** The request carries a valid session for the current password and key, not logged out. */
  authenticated: boolean;
}

/** Why a request was refused, with everything an edge needs to answer it. */
export interface AccessRefusal {
  allowed: false;
  /** tRPC code; error-mapping.ts gives raw routes its HTTP status (401, 429). */
  status: 'UNAUTHORIZED' | 'TOO_MANY_REQUESTS';
  code: Extract<ServerErrorCode, 'LOGIN_REQUIRED' | 'SETUP_UPLOAD_LIMIT' | 'SETUP_RESTORE_LIMIT' | 'SETUP_OFFSITE_LIMIT'>;
  /** English text for the CLI, the logs and clients that know no code. */
  message: string;
  /** The facts a translation may name. */
  details: ErrorDetails;
  /** The audit line's `reason`. */
  reason: 'not logged in' | 'rate limit';
}

/** Outcome of the session rule. */
export type SessionDecision = { allowed: true } | AccessRefusal;

/**
 * Outcome of the setup rule; `counted` says whether work that costs the server (an upload, a
 * restore) must be counted per address first ({@link decideSetupAttempt}).
 */
export type SetupDecision = { allowed: true; counted: boolean } | AccessRefusal;

/** Outcome of counting one setup attempt; `pendingUploads` bounds the address's waiting uploads. */
export type SetupAttemptDecision = { allowed: true; pendingUploads: number } | AccessRefusal;

/** Message of every 401 for a missing session, tRPC and raw routes alike. */
export const LOGIN_REQUIRED_MESSAGE = 'Log in first: this instance has an admin password.';

const LOGIN_REQUIRED: AccessRefusal = {
  allowed: false,
  status: 'UNAUTHORIZED',
  code: 'LOGIN_REQUIRED',
  message: LOGIN_REQUIRED_MESSAGE,
  details: {},
  reason: 'not logged in',
};

/** The session rule: allowed without an admin password, or with a valid session. */
export function decideSessionAccess(facts: Pick<AccessFacts, 'hasAdminPassword' | 'authenticated'>): SessionDecision {
  if (facts.hasAdminPassword && !facts.authenticated) return LOGIN_REQUIRED;
  return { allowed: true };
}

/**
 * The setup rule: the session rule when an admin password is set; otherwise allowed, and counted
 * per address while the instance is unconfigured.
 */
export function decideSetupAccess(facts: AccessFacts): SetupDecision {
  if (facts.hasAdminPassword) {
    const session = decideSessionAccess(facts);
    return session.allowed ? { allowed: true, counted: false } : session;
  }
  return { allowed: true, counted: !facts.configured };
}

/** Whether a counted setup `action` may start, given what the setup limiter answered for it. */
export function decideSetupAttempt(action: SetupAction, attempt: SetupAttempt): SetupAttemptDecision {
  if (attempt.allowed) return { allowed: true, pendingUploads: SETUP_PENDING_UPLOADS };
  const minutes = Math.ceil(attempt.retryAfterSeconds / 60);
  const noun = { upload: 'uploads', restore: 'restores', offsite: 'listings of offsite backups' }[action];
  return {
    allowed: false,
    status: 'TOO_MANY_REQUESTS',
    code: ({ upload: 'SETUP_UPLOAD_LIMIT', restore: 'SETUP_RESTORE_LIMIT', offsite: 'SETUP_OFFSITE_LIMIT' } as const)[action],
    message: `Too many ${noun} from your address: ${attempt.limit} in the last hour. Try again in ${minutes} minutes.`,
    details: { limit: attempt.limit, minutes },
    reason: 'rate limit',
  };
}

/**
 * The refusal as the server's refusal error (errors/server-refusal.ts): procedures throw it as it
 * is, raw routes answer it with `toHttpError` (errors/error-mapping.ts), so both say the same.
 */
export function refusalError(refused: AccessRefusal): TRPCError {
  return refusal(refused.status, refused.code, refused.message, refused.details);
}
