/**
 * Refusals the server makes itself, beside the engine's LockerErrors: a login is needed, too many
 * setup attempts, an upload that is gone. Each carries a code from a closed list and the facts a
 * translation may name (`details`), so a client shows it in its user's language; the English
 * message stays for the CLI, the logs and clients that know no code. The codes reach clients
 * where the engine's do: `data.lockerCode` and `data.details` of a tRPC error, `error.code` and
 * `error.details` of a raw route's JSON body (error-mapping.ts).
 */
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

export const SERVER_ERROR_CODES = [
  /** An admin password is set and the request has no session. */
  'LOGIN_REQUIRED',
  /** The admin password was wrong. */
  'LOGIN_FAILED',
  /** Too many failed logins from this address (`details.seconds`). */
  'LOGIN_LOCKED',
  /** A login while no admin password is set. */
  'LOGIN_NOT_NEEDED',
  /** Unconfigured instance: too many uploads from this address (`details.limit`, `details.minutes`). */
  'SETUP_UPLOAD_LIMIT',
  /** Unconfigured instance: too many restores from this address (`details.limit`, `details.minutes`). */
  'SETUP_RESTORE_LIMIT',
  /** Too many listings of a target's backups from this address in the wizard (`details.limit`, `details.minutes`). */
  'SETUP_OFFSITE_LIMIT',
  /** The upload id is unknown, expired or already restored. */
  'UPLOAD_GONE',
  /** An upload whose client sent too little for too long (`details.idleSeconds`, `windowSeconds`, `minKib`). */
  'UPLOAD_STALLED',
  /** An upload sent with another Content-Type than a raw archive (`details.contentType`). */
  'UPLOAD_TYPE_UNSUPPORTED',
  /** The job id is unknown (jobs are kept until the server restarts). */
  'JOB_NOT_FOUND',
  /** A cancel asked of a job past the point where stopping would do harm (a restore putting its files in place). */
  'JOB_NOT_CANCELLABLE',
  /** A job the server stopped because it shut down (a stop, a restart); its partial files are removed. */
  'SERVER_SHUTDOWN',
  /** Demo mode asked for on an instance that is already configured. */
  'DEMO_NEEDS_FRESH_INSTANCE',
  /** Demo mode asked for while DEMO_MODE=false is set. */
  'DEMO_DISABLED',
  /** The setup wizard finished on an instance that is already configured. */
  'SETUP_ALREADY_DONE',
  /** A key being set up for sealed backups (seal.prepare) expired, or was saved already. */
  'SEAL_PENDING_GONE',
  /** Sealing is off: no key to seal a download with or to make a recovery kit for. */
  'SEAL_OFF',
  /** No offsite target has this id (`details.id`): it was removed, or the list is out of date. */
  'TARGET_NOT_FOUND',
  /**
   * A target's copies are to be sealed with the instance's key, but sealing is off and the target
   * has no recipient of its own: turn sealing on, give the target a recipient, or choose plain copies.
   */
  'TARGET_SEAL_NO_KEY',
  /** No alert channel has this id (`details.id`): it was removed, or the list is out of date. */
  'ALERT_CHANNEL_NOT_FOUND',
  /** "Run now" of a test restore while the backup directory (`details.path`) holds no backup. */
  'TEST_RESTORE_NO_BACKUP',
  /** Anything unexpected: the details are in the server log, never in the answer. */
  'INTERNAL',
] as const;

export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];

/** Facts a translation may name; never secrets. */
export type ErrorDetails = Record<string, string | number>;

/** The cause of a refusal's TRPCError: its code and details. */
export class ServerRefusal extends Error {
  override readonly name = 'ServerRefusal';
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

/** A TRPCError with tRPC code `status` that carries the server code `code` and its `details`. */
export function refusal(status: TRPC_ERROR_CODE_KEY, code: ServerErrorCode, message: string, details: ErrorDetails = {}): TRPCError {
  return new TRPCError({ code: status, message, cause: new ServerRefusal(code, message, details) });
}

/** The server code and details of a TRPCError made by {@link refusal}, or undefined. */
export function refusalOf(error: unknown): ServerRefusal | undefined {
  if (error instanceof ServerRefusal) return error;
  if (error instanceof TRPCError && error.cause instanceof ServerRefusal) return error.cause;
  return undefined;
}
