/**
 * The one place where the engine's LockerError codes become network errors: `toTrpcError` for
 * procedures, `toHttpError` for raw routes. Both read the same table, so a code always means the
 * same status whichever way a client reached it. Unknown errors become a 500 whose body says only
 * "Internal server error"; the details go to the log, never to the client.
 */
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { LockerError, type LockerErrorCode } from '@evidence-locker/core';
import { refusalOf, type ErrorDetails } from './server-refusal.ts';

/** Exhaustive: adding a code to core breaks the build here until it is given a status. */
const TRPC_CODE_BY_LOCKER_CODE: Record<LockerErrorCode, TRPC_ERROR_CODE_KEY> = {
  ARCHIVE_EMPTY: 'UNPROCESSABLE_CONTENT',
  ARCHIVE_NOT_GZIP: 'UNPROCESSABLE_CONTENT',
  ARCHIVE_TRUNCATED: 'UNPROCESSABLE_CONTENT',
  ARCHIVE_CORRUPT: 'UNPROCESSABLE_CONTENT',
  ARCHIVE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  ARCHIVE_INVALID_TAR: 'UNPROCESSABLE_CONTENT',
  ARCHIVE_NO_DATA: 'UNPROCESSABLE_CONTENT',
  MEMBER_UNSAFE: 'UNPROCESSABLE_CONTENT',
  MEMBER_NOT_REGULAR: 'UNPROCESSABLE_CONTENT',
  MEMBER_DUPLICATE: 'UNPROCESSABLE_CONTENT',
  MEMBER_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  MEMBER_TOO_MANY: 'UNPROCESSABLE_CONTENT',
  MEMBER_CHECKSUM_MISMATCH: 'UNPROCESSABLE_CONTENT',
  META_MISSING: 'UNPROCESSABLE_CONTENT',
  META_NOT_FIRST: 'UNPROCESSABLE_CONTENT',
  META_UNREADABLE: 'UNPROCESSABLE_CONTENT',
  META_INVALID: 'UNPROCESSABLE_CONTENT',
  MAGIC_MISMATCH: 'UNPROCESSABLE_CONTENT',
  FORMAT_VERSION_INVALID: 'UNPROCESSABLE_CONTENT',
  DATABASE_CORRUPT: 'UNPROCESSABLE_CONTENT',
  DATABASE_MISSING: 'UNPROCESSABLE_CONTENT',
  CONFIG_INVALID: 'UNPROCESSABLE_CONTENT',
  CONFIG_KEY_INVALID: 'UNPROCESSABLE_CONTENT',
  SECRET_UNDECRYPTABLE: 'UNPROCESSABLE_CONTENT',
  BACKUP_DIR_UNUSABLE: 'CONFLICT',
  BACKUP_NOT_FOUND: 'NOT_FOUND',
  BACKUP_NAME_INVALID: 'BAD_REQUEST',
  BACKUP_EXISTS: 'CONFLICT',
  PATH_NOT_ALLOWED: 'FORBIDDEN',
  NOT_A_DIRECTORY: 'BAD_REQUEST',
  PERMISSION_DENIED: 'FORBIDDEN',
  BACKUP_PATH_IN_DATA_DIR: 'FORBIDDEN',
  DIRECTORY_NOT_FOUND: 'BAD_REQUEST',
  READ_ONLY_FILE_SYSTEM: 'CONFLICT',
  WRITE_PERMISSION_DENIED: 'CONFLICT',
  DIRECTORY_EXISTS: 'CONFLICT',
  FOLDER_NAME_INVALID: 'BAD_REQUEST',
  // Sealed archives: a key that does not fit is the request's fault, a cut or changed file the file's.
  SEAL_KEY_INVALID: 'BAD_REQUEST',
  SEAL_WRONG_IDENTITY: 'BAD_REQUEST',
  SEAL_WRONG_PASSPHRASE: 'BAD_REQUEST',
  SEAL_NEEDS_PASSPHRASE: 'BAD_REQUEST',
  SEAL_NEEDS_IDENTITY: 'BAD_REQUEST',
  SEAL_NOT_SEALED: 'UNPROCESSABLE_CONTENT',
  SEAL_ARMORED: 'UNPROCESSABLE_CONTENT',
  SEAL_TRUNCATED: 'UNPROCESSABLE_CONTENT',
  SEAL_DAMAGED: 'UNPROCESSABLE_CONTENT',
  SEAL_KEY_REQUIRED: 'BAD_REQUEST',
  ARCHIVE_SEALED: 'UNPROCESSABLE_CONTENT',
  TARGET_URL_INVALID: 'BAD_REQUEST',
  TARGET_UNREACHABLE: 'BAD_GATEWAY',
  TARGET_TLS_FAILED: 'BAD_GATEWAY',
  TARGET_LOGIN_REFUSED: 'BAD_GATEWAY',
  TARGET_LOCATION_MISSING: 'BAD_GATEWAY',
  TARGET_WRITE_DENIED: 'BAD_GATEWAY',
  TARGET_FULL: 'BAD_GATEWAY',
  TARGET_HOST_KEY_UNKNOWN: 'CONFLICT',
  TARGET_HOST_KEY_CHANGED: 'CONFLICT',
  TARGET_UPLOAD_MISMATCH: 'BAD_GATEWAY',
  TARGET_OBJECT_MISSING: 'NOT_FOUND',
  TARGET_NAME_TAKEN: 'CONFLICT',
  TARGET_FAILED: 'BAD_GATEWAY',
  ALERT_UNREACHABLE: 'BAD_GATEWAY',
  ALERT_TIMEOUT: 'BAD_GATEWAY',
  ALERT_TLS_FAILED: 'BAD_GATEWAY',
  ALERT_LOGIN_REFUSED: 'BAD_GATEWAY',
  ALERT_REJECTED: 'BAD_GATEWAY',
  ALERT_RECIPIENT_REFUSED: 'BAD_GATEWAY',
  // 507 has no tRPC code; the client still gets the code DISK_FULL in `data.lockerCode`.
  DISK_FULL: 'INTERNAL_SERVER_ERROR',
  TEST_RESTORE_COUNTS_DIFFER: 'UNPROCESSABLE_CONTENT',
  BUSY: 'CONFLICT',
  CONFIG_LOCKED: 'CONFLICT',
  DATABASE_IN_USE: 'CONFLICT',
  RESTORE_ROLLED_BACK: 'UNPROCESSABLE_CONTENT',
  CANCELLED: 'CLIENT_CLOSED_REQUEST',
  DATA_DIR_UNUSABLE: 'INTERNAL_SERVER_ERROR',
  INVALID_ARGUMENT: 'BAD_REQUEST',
};

/** Raw routes can say more than tRPC's code set allows. */
const HTTP_STATUS_OVERRIDES: Partial<Record<LockerErrorCode, number>> = { DISK_FULL: 507 };

/**
 * Body of every JSON error a raw route sends: `code` is a LockerError code, a server code
 * (server-refusal.ts) or, for other refusals, tRPC's or Fastify's; `details` are the facts a
 * translation may name (absent when there are none).
 */
export interface HttpErrorBody {
  error: { code: string; message: string; details?: ErrorDetails };
}

/** The string and number facts of an error's details, the only ones a client may show. */
export function clientDetails(details: Record<string, unknown> | undefined): ErrorDetails {
  const shown: ErrorDetails = {};
  for (const [key, value] of Object.entries(details ?? {})) {
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) shown[key] = value;
  }
  return shown;
}

function withDetails(code: string, message: string, details: ErrorDetails): HttpErrorBody {
  return { error: { code, message, ...(Object.keys(details).length > 0 ? { details } : {}) } };
}

/** The tRPC error for a LockerError (its message is written for users, so it is kept). */
export function toTrpcError(error: LockerError): TRPCError {
  return new TRPCError({
    code: TRPC_CODE_BY_LOCKER_CODE[error.code],
    message: error.message,
    cause: error,
  });
}

/**
 * HTTP status and JSON body for any error a raw route throws: a LockerError keeps its message and
 * code; a TRPCError its code's status; anything else is 500 "Internal server error" with the code
 * `INTERNAL`, as a tRPC procedure's and a job's unexpected errors have (log it first).
 */
export function toHttpError(error: unknown): { status: number; body: HttpErrorBody } {
  if (error instanceof LockerError) {
    const status = HTTP_STATUS_OVERRIDES[error.code] ?? getHTTPStatusCodeFromError(toTrpcError(error));
    return { status, body: withDetails(error.code, error.message, clientDetails(error.details)) };
  }
  if (error instanceof TRPCError) {
    const refused = refusalOf(error);
    return {
      status: getHTTPStatusCodeFromError(error),
      body: refused ? withDetails(refused.code, error.message, refused.details) : withDetails(error.code, error.message, {}),
    };
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'Internal server error' } },
  };
}

/** True when a status means "our fault", i.e. the error belongs in the log at error level. */
export function isServerFault(status: number): boolean {
  return status >= 500;
}
