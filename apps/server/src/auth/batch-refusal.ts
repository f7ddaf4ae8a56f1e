/**
 * Refuses a tRPC batch (`/trpc/a,b,c?batch=1`) that holds a password guess more than once. The
 * login limit counts per address and attempt; a batch of 150 `auth.login` calls is 150 guesses in
 * one request, and nothing a client needs: the web app sends one login per click. Such a batch is
 * refused as a whole before any of its calls runs.
 */

/** Procedures a request may call at most once. */
export const ONCE_PER_REQUEST: readonly string[] = ['auth.login'];

/** Why a request calling `paths` (in batch order) must be refused, or null. */
export function batchRefusal(paths: readonly string[]): string | null {
  for (const procedure of ONCE_PER_REQUEST) {
    if (paths.filter((path) => path === procedure).length > 1) {
      return `A request may call ${procedure} only once; send one login at a time.`;
    }
  }
  return null;
}
