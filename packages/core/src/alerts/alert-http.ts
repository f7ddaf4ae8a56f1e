/**
 * The one HTTP request every HTTP channel makes (webhook, ntfy, Gotify, Apprise, ping): Node's
 * fetch with a timeout, the answer's status turned into a coded failure. Redirects are not
 * followed: a token sent to one address must not travel on to another.
 */
import { ALERT_TIMEOUT_MS, alertError, alertNetworkError } from './alert-error.ts';

/** A request to send. */
export interface AlertRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON (Content-Type application/json). */
  json?: unknown;
  /** Where, for the messages: the address without its secret parts. */
  where: string;
  /** Default ALERT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** Sends `request`; resolves on a 2xx answer, else throws an ALERT_ code naming `where`. */
export async function sendAlertRequest(request: AlertRequest): Promise<void> {
  const headers: Record<string, string> = { 'User-Agent': 'evidence-locker', ...request.headers };
  if (request.json !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs ?? ALERT_TIMEOUT_MS),
      ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
    });
  } catch (error) {
    throw alertNetworkError(error, request.where);
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 200 && response.status < 300) return;
  const reason = answerReason(text) ?? (response.statusText || 'no reason given');
  if (response.status === 401 || response.status === 403) {
    throw alertError('ALERT_LOGIN_REFUSED', request.where, { status: response.status, reason });
  }
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location');
    throw alertError('ALERT_REJECTED', request.where, {
      status: response.status,
      reason: `It redirects${location === null ? '' : ` to ${safeLocation(location)}`}; enter the address it redirects to.`,
    });
  }
  throw alertError('ALERT_REJECTED', request.where, { status: response.status, reason });
}

/** The scheme, host and port of `url` (never its path, query or user info: those may hold tokens). */
export function urlOrigin(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : 'the service';
}

/** An answer's message: a JSON `error`/`message`/`errorDescription` field, or its text. */
function answerReason(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      for (const key of ['errorDescription', 'error_description', 'error', 'message']) {
        if (typeof record[key] === 'string' && record[key] !== '') return record[key];
      }
    }
  } catch {
    // Not JSON: the text itself.
  }
  return trimmed.startsWith('<') ? undefined : trimmed;
}

function safeLocation(location: string): string {
  return URL.canParse(location) ? new URL(location).origin : 'another address';
}
