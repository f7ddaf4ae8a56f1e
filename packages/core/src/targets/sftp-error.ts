/**
 * SFTP failures as TARGET_ errors. SFTP version 3 (what OpenSSH speaks) reports a status code, not
 * an errno: OpenSSH's sftp-server sends NO_SUCH_FILE for ENOENT, PERMISSION_DENIED for EACCES and
 * EPERM, and a bare FAILURE for everything else, a full disk (ENOSPC) and a refused rename (EEXIST)
 * included. So a FAILURE while writing is told apart by the server's message where it gives one
 * (other servers say "No space left on device" or "quota"), or by asking the file system's free
 * space (statvfs@openssh.com) — see `writeFailureIsFull` in sftp-target.ts.
 */
import { LockerError } from '../errors.ts';
import { SftpConnectionLost } from './sftp-connection.ts';
import { networkFailureCode, targetError } from './target-error.ts';

/** SFTP status codes (draft-ietf-secsh-filexfer-02, section 7). */
export const SFTP_STATUS = { NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4 } as const;

/** The SFTP status of an ssh2 error, or undefined when it is none. */
export function sftpStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** True for a server message that says the disk or quota is full. */
export function saysFull(error: unknown): boolean {
  return /no space|disk full|quota|ENOSPC|EDQUOT|insufficient storage/i.test(error instanceof Error ? error.message : String(error));
}

/**
 * What an operation was doing, which decides what a status means: NO_SUCH_FILE on `read` is the
 * backup missing, anywhere else the directory; PERMISSION_DENIED on `write` is WRITE_DENIED.
 */
export type SftpOperation = 'list' | 'read' | 'write' | 'delete' | 'stat';

/** Maps `error` from an SFTP request on `path` to a TARGET_ error (LockerErrors pass through). */
export function sftpError(error: unknown, location: string, operation: SftpOperation, path: string): LockerError {
  if (error instanceof LockerError) return error;
  const network = networkFailureCode(error);
  if (network !== undefined) return targetError(network, location, { cause: error });
  if (error instanceof SftpConnectionLost || (error instanceof Error && error.message === 'No response from server')) {
    return targetError('TARGET_UNREACHABLE', location, {
      specifics: `The connection to the server was lost (during ${operation} of ${path}).`,
      cause: error,
    });
  }
  const status = sftpStatus(error);
  const serverMessage = error instanceof Error ? error.message : String(error);
  const details = { operation, path, status, serverMessage };
  if (status === SFTP_STATUS.NO_SUCH_FILE) {
    if (operation === 'read')
      return targetError('TARGET_OBJECT_MISSING', location, { specifics: `${path} does not exist.`, details, cause: error });
    return targetError('TARGET_LOCATION_MISSING', location, { specifics: `${path} does not exist.`, details, cause: error });
  }
  if (status === SFTP_STATUS.PERMISSION_DENIED && (operation === 'write' || operation === 'delete')) {
    return targetError('TARGET_WRITE_DENIED', location, { specifics: `Permission denied for ${path}.`, details, cause: error });
  }
  if (status === SFTP_STATUS.PERMISSION_DENIED) {
    return targetError('TARGET_FAILED', location, {
      specifics: `The server does not let this account read ${path} (permission denied).`,
      details,
      cause: error,
    });
  }
  if (operation === 'write' && saysFull(error)) {
    return targetError('TARGET_FULL', location, { specifics: `The server said: ${serverMessage}.`, details, cause: error });
  }
  return targetError('TARGET_FAILED', location, {
    specifics: `The server answered ${operation} of ${path} with: ${serverMessage} (SFTP status ${status ?? 'none'}).`,
    details,
    cause: error,
  });
}
