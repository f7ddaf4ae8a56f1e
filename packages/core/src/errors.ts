/**
 * The one error class of the backup engine. Every failure a user can meet carries a code from a
 * closed union and a message that says what happened and what to do. Callers (CLI, server) map the
 * code once; they never parse the message.
 */
export const LOCKER_ERROR_CODES = [
  // archive container
  'ARCHIVE_EMPTY',
  'ARCHIVE_NOT_GZIP',
  'ARCHIVE_TRUNCATED',
  'ARCHIVE_CORRUPT',
  'ARCHIVE_TOO_LARGE',
  'ARCHIVE_INVALID_TAR',
  'ARCHIVE_NO_DATA',
  // members
  'MEMBER_UNSAFE',
  'MEMBER_NOT_REGULAR',
  'MEMBER_DUPLICATE',
  'MEMBER_TOO_LARGE',
  'MEMBER_TOO_MANY',
  'MEMBER_CHECKSUM_MISMATCH',
  // meta
  'META_MISSING',
  'META_NOT_FIRST',
  'META_UNREADABLE',
  'META_INVALID',
  'MAGIC_MISMATCH',
  'FORMAT_VERSION_INVALID',
  // contents
  'DATABASE_CORRUPT',
  'DATABASE_MISSING',
  'CONFIG_INVALID',
  'CONFIG_KEY_INVALID',
  'SECRET_UNDECRYPTABLE',
  // backup directory and paths
  'BACKUP_DIR_UNUSABLE',
  'BACKUP_NOT_FOUND',
  'BACKUP_NAME_INVALID',
  'BACKUP_EXISTS',
  'PATH_NOT_ALLOWED',
  'NOT_A_DIRECTORY',
  'PERMISSION_DENIED',
  // why a directory cannot hold backups (backup-dir/backup-dir-write-error.ts), and new folders
  'BACKUP_PATH_IN_DATA_DIR',
  'DIRECTORY_NOT_FOUND',
  'READ_ONLY_FILE_SYSTEM',
  'WRITE_PERMISSION_DENIED',
  'DIRECTORY_EXISTS',
  'FOLDER_NAME_INVALID',
  // sealed (age-encrypted) archives: seal/open-sealed-stream.ts says which is which
  'SEAL_KEY_INVALID',
  'SEAL_NOT_SEALED',
  'SEAL_ARMORED',
  'SEAL_WRONG_IDENTITY',
  'SEAL_WRONG_PASSPHRASE',
  'SEAL_NEEDS_PASSPHRASE',
  'SEAL_NEEDS_IDENTITY',
  'SEAL_TRUNCATED',
  'SEAL_DAMAGED',
  'SEAL_KEY_REQUIRED',
  'ARCHIVE_SEALED',
  // offsite targets (targets/target-error.ts)
  'TARGET_URL_INVALID',
  'TARGET_UNREACHABLE',
  'TARGET_TLS_FAILED',
  'TARGET_LOGIN_REFUSED',
  'TARGET_LOCATION_MISSING',
  'TARGET_WRITE_DENIED',
  'TARGET_FULL',
  'TARGET_HOST_KEY_UNKNOWN',
  'TARGET_HOST_KEY_CHANGED',
  'TARGET_UPLOAD_MISMATCH',
  'TARGET_OBJECT_MISSING',
  'TARGET_NAME_TAKEN',
  'TARGET_FAILED',
  // alert channels (alerts/alert-error.ts)
  'ALERT_UNREACHABLE',
  'ALERT_TIMEOUT',
  'ALERT_TLS_FAILED',
  'ALERT_LOGIN_REFUSED',
  'ALERT_REJECTED',
  'ALERT_RECIPIENT_REFUSED',
  // proof of restorability (proof/test-restore.ts)
  'TEST_RESTORE_COUNTS_DIFFER',
  // resources and state
  'DISK_FULL',
  'BUSY',
  'CONFIG_LOCKED',
  'DATABASE_IN_USE',
  'RESTORE_ROLLED_BACK',
  'CANCELLED',
  'DATA_DIR_UNUSABLE',
  'INVALID_ARGUMENT',
] as const;

export type LockerErrorCode = (typeof LOCKER_ERROR_CODES)[number];

export class LockerError extends Error {
  override readonly name = 'LockerError';
  readonly code: LockerErrorCode;
  /** Extra facts for logs and UIs (paths, sizes); never secrets. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: LockerErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** True when `error` is a LockerError, optionally with one of the given codes. */
export function isLockerError(error: unknown, ...codes: LockerErrorCode[]): error is LockerError {
  return error instanceof LockerError && (codes.length === 0 || codes.includes(error.code));
}

/**
 * True for the errno codes of a write the disk had no room for: ENOSPC (the file system is full) and
 * EDQUOT (the user's quota is), which a user fixes the same way. Each caller words its own DISK_FULL.
 */
export function isDiskFullErrno(code: string | undefined): boolean {
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Node's errno code of an error (`ENOENT`, `ENOSPC`, …), or undefined. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
