/**
 * Turns whatever a call threw into the message a user should read, in their language. The server
 * sends each failure's code (the engine's LockerError codes such as `ARCHIVE_NOT_GZIP`, and its own
 * refusals such as `SETUP_UPLOAD_LIMIT`) with the facts a text may name (`details`): a tRPC error
 * in `data.lockerCode` and `data.details`, a raw route in `error.code` and `error.details`, a job in
 * `error.code` and `error.details`. The catalogs (i18n/locales/*.json) have a text for every code
 * (`error.<CODE>`); the server's English message is shown only for a code they do not know, or
 * when the text names a fact the server did not send. Transport failures get `fallback`.
 */
import { i18n } from '../i18n/i18n.ts';
import type { ArchiveWarning } from './server-types.ts';

/** What a fact the server did not send reads as while a text is rendered (see codeText). */
const ABSENT_FACT = '\u0000absent\u0000';

/** What the server said about a failure. */
export interface ServerFailure {
  /** The product's code, or undefined when there is none (a transport error, a validation message). */
  code: string | undefined;
  /** The server's English message ('' when there is none). */
  message: string;
  /** Facts the text may name (file names, counts). */
  details: Record<string, string | number>;
}

/** A thrown value's user-facing message, or `fallback` when there is none. */
export function errorMessage(error: unknown, fallback: string): string {
  const failure = serverFailure(error);
  if (failure?.code !== undefined) {
    const text = codeText(failure.code, failure.details);
    if (text !== undefined) return text;
  }
  if (failure && failure.message.trim() !== '') {
    // fetch() failures carry the browser's wording, which says nothing to a user.
    if (error instanceof Error && error.name === 'TypeError' && /fetch|network/i.test(failure.message)) return fallback;
    return failure.message;
  }
  if (typeof error === 'string' && error.trim() !== '') return error;
  return fallback;
}

/** An archive warning in the user's language, or the server's English message for a code the catalogs lack. */
export function warningMessage(warning: ArchiveWarning): string {
  return codeText(warning.code, warning.details, 'warning') ?? warning.message;
}

/**
 * The user's words for error (or warning) `code`, naming `details`; undefined when the catalogs
 * have no text for it or its text names a fact `details` lacks (the server's message says more then).
 */
export function codeText(
  code: string,
  details: Record<string, string | number> = {},
  kind: 'error' | 'warning' = 'error',
): string | undefined {
  const key = `${kind}.${code}`;
  if (!i18n.global.te(key, 'en')) return undefined;
  // vue-i18n shows a parameter the call did not pass as nothing, and the compiled catalogs keep no
  // text to read a message's parameters from. So each fact missing from `details` reads as a
  // marker while the text renders: a text that shows the marker names a fact the server did not send.
  const named = new Proxy(
    { ...details },
    {
      get: (facts, name): unknown => (typeof name === 'string' && !Object.hasOwn(facts, name) ? ABSENT_FACT : Reflect.get(facts, name)),
    },
  );
  const text = i18n.global.t(key, {}, { named });
  return text.includes(ABSENT_FACT) ? undefined : text;
}

/** The code, message and details of a tRPC client error, an UploadError, or a job's `error`. */
export function serverFailure(error: unknown): ServerFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { code?: unknown; message?: unknown; details?: unknown; data?: unknown };
  const message = typeof record.message === 'string' ? record.message : '';
  const data = record.data;
  if (typeof data === 'object' && data !== null) {
    // A tRPC client error: the product's code is `lockerCode`; `code` there is tRPC's (CONFLICT, …).
    const { lockerCode, details } = data as { lockerCode?: unknown; details?: unknown };
    return { code: typeof lockerCode === 'string' ? lockerCode : undefined, message, details: detailsOf(details) };
  }
  return { code: typeof record.code === 'string' ? record.code : undefined, message, details: detailsOf(record.details) };
}

function detailsOf(value: unknown): Record<string, string | number> {
  const details: Record<string, string | number> = {};
  if (typeof value !== 'object' || value === null) return details;
  for (const [key, fact] of Object.entries(value)) {
    if (typeof fact === 'string' || typeof fact === 'number') details[key] = fact;
  }
  return details;
}

/** The tRPC error code (`UNAUTHORIZED`, `CONFLICT`, …) of a thrown client error, if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const data = (error as { data?: unknown }).data;
  if (typeof data === 'object' && data !== null && typeof (data as { code?: unknown }).code === 'string') {
    return (data as { code: string }).code;
  }
  return undefined;
}
