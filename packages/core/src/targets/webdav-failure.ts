/**
 * What a WebDAV failure means for the user: one TARGET_ code (or CANCELLED) from the HTTP status
 * and the step that got it. The same status means different things per step: 404 on the
 * directory is a missing directory, on a GET a missing backup; 405 on a write is a server that does
 * not allow writing (rclone --read-only), 412 on the MOVE a name already taken.
 */
import { LockerError } from '../errors.ts';
import { networkFailureCode, targetError, type TargetFailureCode } from './target-error.ts';

/** The request that failed: the directory's PROPFIND (list, probe), a file's PROPFIND, the PUT, the MOVE, a GET, a DELETE. */
export type WebdavStep = 'directory' | 'stat' | 'put' | 'move' | 'get' | 'delete';

const WRITES: ReadonlySet<WebdavStep> = new Set(['put', 'move', 'delete']);

const METHODS: Record<WebdavStep, string> = {
  directory: 'PROPFIND',
  stat: 'PROPFIND',
  put: 'PUT',
  move: 'MOVE',
  get: 'GET',
  delete: 'DELETE',
};

function codeFor(status: number, step: WebdavStep): TargetFailureCode {
  if (status === 401) return 'TARGET_LOGIN_REFUSED';
  if (status === 507 || status === 413) return 'TARGET_FULL';
  if (step === 'directory' && (status === 404 || status === 409)) return 'TARGET_LOCATION_MISSING';
  if (step === 'put' && status === 409) return 'TARGET_LOCATION_MISSING';
  if (step === 'move' && status === 412) return 'TARGET_NAME_TAKEN';
  if (step === 'get' && status === 404) return 'TARGET_OBJECT_MISSING';
  if (WRITES.has(step) && (status === 403 || status === 405)) return 'TARGET_WRITE_DENIED';
  // The PUT comes after the directory's PROPFIND succeeded: a 404 then is a server that will not
  // create the file (rclone --read-only answers so).
  if (step === 'put' && status === 404) return 'TARGET_WRITE_DENIED';
  return 'TARGET_FAILED';
}

/**
 * The LockerError for `error` (from the `webdav` package, node-fetch or a socket) at `step`:
 * CANCELLED when `signal` was aborted, a network code, or the status's meaning; a LockerError
 * passes through unchanged. `name` is the file concerned, for the message.
 */
export function webdavFailure(
  error: unknown,
  context: { step: WebdavStep; location: string; signal?: AbortSignal | undefined; name?: string | undefined },
): LockerError {
  const { step, location, signal, name } = context;
  if (signal?.aborted) {
    return new LockerError('CANCELLED', `${location}: the transfer was cancelled.`, { details: { location }, cause: error });
  }
  if (error instanceof LockerError) return error;
  const network = networkFailureCode(error);
  if (network !== undefined) return targetError(network, location, { cause: error, details: { step } });
  const status = (error as { status?: unknown }).status;
  if (typeof status !== 'number') {
    return targetError('TARGET_FAILED', location, { specifics: `${step}: ${String(error)}.`, cause: error, details: { step } });
  }
  const statusText = (error as { response?: { statusText?: string } }).response?.statusText ?? '';
  const code = codeFor(status, step);
  const what = name === undefined ? 'the directory' : `"${name}"`;
  // rclone (golang.org/x/net/webdav) answers 405 to a PUT whose write failed on its side, a full disk included.
  const cause =
    step === 'put' && status === 405
      ? ' Either it does not allow writing there, or the write failed on its side (its disk may be full).'
      : '';
  return targetError(code, location, {
    specifics: `The server answered HTTP ${status}${statusText === '' ? '' : ` ${statusText}`} to the ${METHODS[step]} of ${what}.${cause}`,
    cause: error,
    details: { step, status, ...(name === undefined ? {} : { name }) },
  });
}
