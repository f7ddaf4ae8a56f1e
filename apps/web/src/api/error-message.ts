/**
 * Turns whatever a call threw into the message a user should read. The server writes its error
 * messages for users (a LockerError's message names what is wrong and what to do), so they are
 * shown as they are; only transport failures get a generic text.
 */

/** A thrown value's user-facing message, or `fallback` when there is none. */
export function errorMessage(error: unknown, fallback: string): string {
  if (error instanceof Error && error.message.trim() !== '') {
    // fetch() failures carry the browser's wording, which says nothing to a user.
    if (error.name === 'TypeError' && /fetch|network/i.test(error.message)) return fallback;
    return error.message;
  }
  if (typeof error === 'string' && error.trim() !== '') return error;
  return fallback;
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
