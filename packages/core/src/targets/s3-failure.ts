/**
 * What an S3 failure means for the user: one TARGET_ code (or CANCELLED) from the S3 error code,
 * the HTTP status and the request that got it. The same answer means different things per request:
 * AccessDenied on a PUT is an account that may not write, on a listing one that may not read; a 404
 * on a GET is a missing backup, on a listing a missing bucket.
 */
import { LockerError } from '../errors.ts';
import { networkFailureCode, targetError, type TargetFailureCode } from './target-error.ts';

/** The request that failed. */
export type S3Step = 'list' | 'stat' | 'put' | 'check' | 'get' | 'delete';

const WRITES: ReadonlySet<S3Step> = new Set(['put', 'delete']);

const REQUESTS: Record<S3Step, string> = {
  list: 'listing (ListObjectsV2)',
  stat: 'HeadObject',
  put: 'upload (PutObject or multipart upload)',
  check: 'HeadObject after the upload',
  get: 'GetObject',
  delete: 'DeleteObject',
};

/** S3 error codes of a key or signature the service does not accept. */
const LOGIN_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'InvalidSecurity',
  'AccountProblem',
  'InvalidClientTokenId',
  'AuthorizationHeaderMalformed',
]);
/** S3 error codes (and the names other stores use) of a store or account without room. */
const FULL_CODES = new Set(['EntityTooLarge', 'QuotaExceeded', 'InsufficientStorage', 'StorageFull', 'XMinioStorageFull']);

/** The S3 error code of an SDK error (`NoSuchBucket`, `AccessDenied`, …), or undefined. */
export function s3ErrorCode(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== 'Error' ? name : undefined;
}

/** The HTTP status of an SDK error, or undefined when no answer came. */
export function s3Status(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function codeFor(s3Code: string | undefined, status: number | undefined, step: S3Step): TargetFailureCode {
  if (s3Code !== undefined && LOGIN_CODES.has(s3Code)) return 'TARGET_LOGIN_REFUSED';
  if (s3Code === 'NoSuchBucket') return 'TARGET_LOCATION_MISSING';
  // The store checked the part's Content-MD5 (or SHA-256) and got other bytes than were sent.
  if (s3Code === 'BadDigest' || s3Code === 'XAmzContentSHA256Mismatch') return 'TARGET_UPLOAD_MISMATCH';
  if ((s3Code !== undefined && FULL_CODES.has(s3Code)) || status === 507 || status === 413) return 'TARGET_FULL';
  if (s3Code === 'NoSuchKey' || (step === 'get' && status === 404)) return 'TARGET_OBJECT_MISSING';
  if (status === 404 && step === 'list') return 'TARGET_LOCATION_MISSING';
  if (s3Code === 'AccessDenied' || status === 403) return WRITES.has(step) ? 'TARGET_WRITE_DENIED' : 'TARGET_LOGIN_REFUSED';
  if (status === 401) return 'TARGET_LOGIN_REFUSED';
  return 'TARGET_FAILED';
}

/** The CANCELLED error of a transfer stopped through its signal. */
export function s3Cancelled(location: string, cause?: unknown): LockerError {
  return new LockerError('CANCELLED', `${location}: the transfer was cancelled.`, {
    details: { location },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The LockerError for `error` (from the AWS SDK, lib-storage or a socket) at `step`: CANCELLED
 * when `signal` was aborted, a network code, or the answer's meaning; a LockerError passes through
 * unchanged. `name` is the backup concerned, for the message.
 */
export function s3Failure(
  error: unknown,
  context: { step: S3Step; location: string; signal?: AbortSignal | undefined; name?: string | undefined },
): LockerError {
  const { step, location, signal, name } = context;
  if (signal?.aborted) return s3Cancelled(location, error);
  if (error instanceof LockerError) return error;
  const network = networkFailureCode(error);
  if (network !== undefined) return targetError(network, location, { cause: error, details: { step } });
  // The SDK's own timeouts (connect, idle socket) carry no errno.
  if ((error as { name?: unknown } | null)?.name === 'TimeoutError') {
    return targetError('TARGET_UNREACHABLE', location, { specifics: `The ${REQUESTS[step]} timed out.`, cause: error, details: { step } });
  }
  const s3Code = s3ErrorCode(error);
  const status = s3Status(error);
  if (status === undefined) {
    return targetError('TARGET_FAILED', location, {
      specifics: `The ${REQUESTS[step]} failed: ${String(error)}.`,
      cause: error,
      details: { step, ...(s3Code === undefined ? {} : { s3Code }) },
    });
  }
  const what = name === undefined ? 'the bucket' : `"${name}"`;
  // S3 has no code for a full disk: Swift (with s3api) answers every write its object servers
  // refuse for lack of space (507 among themselves) with 503 ServiceUnavailable, as it does when it
  // is overloaded, and so do other stores. The SDK has already retried; the user is told both.
  if (status === 503 && WRITES.has(step)) {
    return targetError('TARGET_FAILED', location, {
      specifics:
        `The store kept answering ${s3Code ?? 'HTTP 503'} (HTTP 503) to the ${REQUESTS[step]} of ${what}: it is overloaded, ` +
        'or it cannot store data (Swift answers so when its disks are full). Check its free space if this persists.',
      cause: error,
      details: { step, status, ...(s3Code === undefined ? {} : { s3Code }), ...(name === undefined ? {} : { name }) },
    });
  }
  const message = error instanceof Error && error.message !== '' && error.message !== s3Code ? ` (${error.message})` : '';
  return targetError(codeFor(s3Code, status, step), location, {
    specifics: `The store answered ${s3Code ?? 'an error'}, HTTP ${status}, to the ${REQUESTS[step]} of ${what}${message}.`,
    cause: error,
    details: { step, status, ...(s3Code === undefined ? {} : { s3Code }), ...(name === undefined ? {} : { name }) },
  });
}
