/**
 * The coded failures of alert channels, each with a message a user can act on. Channel modules map
 * their protocol's failures to these (a socket errno, a TLS code, an HTTP status, an SMTP reply);
 * `where` (the service's address without any secret: scheme, host and port) is in the details so
 * the settings page and the log can say which service failed.
 */
import { LockerError, type LockerErrorCode } from '../errors.ts';
import { networkFailure, type NetworkFailure } from '../network-failure.ts';

export type AlertFailureCode = Extract<LockerErrorCode, `ALERT_${string}`>;

/** How long a channel waits for its service before giving up (ALERT_TIMEOUT). */
export const ALERT_TIMEOUT_MS = 15_000;

const MESSAGES: Record<AlertFailureCode, string> = {
  ALERT_UNREACHABLE:
    'cannot be reached: the host name does not resolve, or nothing answers on that port. Check the address and that the service is running.',
  ALERT_TIMEOUT: `did not answer within ${ALERT_TIMEOUT_MS / 1000} seconds. Check that the service is running and reachable from this server.`,
  ALERT_TLS_FAILED:
    'could not set up TLS: its certificate is not trusted (expired, self-signed or for another name), or it does not offer TLS on this port. Fix the certificate, or choose the port and connection security the service offers.',
  ALERT_LOGIN_REFUSED: 'refused the login: the token, user name or password is wrong, or the account may not send there.',
  ALERT_REJECTED: 'refused the message.',
  ALERT_RECIPIENT_REFUSED: 'refused the recipient or the sender.',
};

/** A LockerError with `code` about the service at `where`; `reason` (the service's own words) is appended. */
export function alertError(
  code: AlertFailureCode,
  where: string,
  options: { reason?: string; status?: number; cause?: unknown } = {},
): LockerError {
  const reason = options.reason === undefined ? undefined : clip(options.reason);
  const status = options.status === undefined ? '' : ` (answer ${options.status})`;
  const message = `${where}${status} ${MESSAGES[code]}${reason === undefined ? '' : ` ${reason}`}`;
  return new LockerError(code, message, {
    details: {
      where,
      ...(code === 'ALERT_TIMEOUT' ? { seconds: ALERT_TIMEOUT_MS / 1000 } : {}),
      ...(options.status === undefined ? {} : { status: options.status }),
      ...(reason === undefined ? {} : { reason }),
    },
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

const ALERT_FAILURES: Record<NetworkFailure, AlertFailureCode> = {
  unreachable: 'ALERT_UNREACHABLE',
  'connect-timeout': 'ALERT_TIMEOUT',
  'answer-timeout': 'ALERT_TIMEOUT',
  tls: 'ALERT_TLS_FAILED',
};

/**
 * The coded error for a failure that happened before any answer (DNS, refused, TLS, timeout)
 * anywhere in `error`'s cause chain; anything else becomes ALERT_UNREACHABLE with its message.
 */
export function alertNetworkError(error: unknown, where: string): LockerError {
  if (error instanceof LockerError) return error;
  const failure = networkFailure(error);
  if (failure !== undefined) return alertError(ALERT_FAILURES[failure], where, { cause: error });
  const reason = error instanceof Error ? error.message : String(error);
  return alertError('ALERT_UNREACHABLE', where, { reason, cause: error });
}

/** A service's words, one line and at most 200 characters (they end up in a page and a log). */
function clip(text: string): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
