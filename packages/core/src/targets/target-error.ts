/**
 * The coded failures of offsite targets, each with a message a user can act on. Target modules map
 * their protocol's errors to these (an S3 error code, an SFTP status, an HTTP status, a socket
 * errno); `location` (never a secret) is in the details so logs and CLIs can say which target.
 */
import { LockerError, type LockerErrorCode } from '../errors.ts';
import { networkFailure } from '../network-failure.ts';

export type TargetFailureCode = Extract<LockerErrorCode, `TARGET_${string}`>;

const MESSAGES: Record<TargetFailureCode, string> = {
  TARGET_URL_INVALID:
    'This target address is not one this product reads: use sftp://USER@HOST:PORT/DIR, s3://BUCKET/PREFIX?endpoint=URL&region=R, or webdav+https://HOST/PATH.',
  TARGET_UNREACHABLE:
    'The target cannot be reached: the host name does not resolve, nothing answers on that port, or the connection timed out. Check the address and that the server is running.',
  TARGET_TLS_FAILED:
    "The target's TLS certificate is not trusted (expired, self-signed or for another name). Fix the certificate, or use the address the certificate is made for.",
  TARGET_LOGIN_REFUSED: 'The target refused the login: the user name, password, key or access key is wrong, or the account is disabled.',
  TARGET_LOCATION_MISSING: 'The bucket or directory does not exist on the target. Create it there first, or correct its name.',
  TARGET_WRITE_DENIED: 'The target does not let this account write there. Give it write permission for that bucket or directory.',
  TARGET_FULL: 'The target is full (its disk or quota): the copy could not be stored. Free space there, or delete old copies.',
  TARGET_HOST_KEY_UNKNOWN:
    "This SFTP server has not been seen before. Compare its host key fingerprint with the one the server's owner gives you, and accept it if they match.",
  TARGET_HOST_KEY_CHANGED:
    "The SFTP server's host key changed since it was accepted. This happens when the server was reinstalled, or when someone is intercepting the connection: nothing was sent. Accept the new key only if its owner confirms the new fingerprint.",
  TARGET_UPLOAD_MISMATCH:
    'The copy on the target does not match what was sent (its size or checksum differs), so it was removed. Try again; if it keeps happening, the target is losing data.',
  TARGET_OBJECT_MISSING: 'There is no such backup on the target (any more).',
  TARGET_NAME_TAKEN: 'A file of that name already exists on the target, and copies never replace one.',
  TARGET_FAILED: 'The target answered with an error this product did not expect; its message is in the details.',
};

/**
 * A LockerError with `code`, its message (plus `specifics`, a sentence naming what was wrong, when
 * given) and `details` (always with `location`).
 */
export function targetError(
  code: TargetFailureCode,
  location: string,
  options: { specifics?: string; details?: Record<string, unknown>; cause?: unknown } = {},
): LockerError {
  const message =
    options.specifics === undefined ? `${location}: ${MESSAGES[code]}` : `${location}: ${options.specifics} ${MESSAGES[code]}`;
  return new LockerError(code, message, {
    details: { location, ...options.details },
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

/**
 * The TARGET_ code of a network-level failure anywhere in `error`'s cause chain (unreachable, TLS),
 * or undefined when it is not one: protocol modules call this before their own mapping. A timeout
 * while waiting for an answer is left to them.
 */
export function networkFailureCode(error: unknown): TargetFailureCode | undefined {
  const failure = networkFailure(error, { answerTimeouts: false });
  if (failure === undefined) return undefined;
  return failure === 'tls' ? 'TARGET_TLS_FAILED' : 'TARGET_UNREACHABLE';
}
