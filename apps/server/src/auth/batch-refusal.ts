/**
 * Refuses a tRPC batch (`/trpc/a,b,c?batch=1`) that holds a password guess more than once. The
 * login limit counts per address and attempt; a batch of 150 `auth.login` calls is 150 guesses in
 * one request, and nothing a client needs: the web app sends one login per click. Such a batch is
 * refused as a whole before any of its calls runs. `seal.kit` takes the admin password too
 * (auth/reenter-admin-password.ts), so it counts as a guess beside `auth.login`.
 */

/** Procedures that check a password: a request may call them at most once in all. */
export const ONCE_PER_REQUEST: readonly string[] = ['auth.login', 'seal.kit'];

/** Why a request calling `paths` (in batch order) must be refused, or null. */
export function batchRefusal(paths: readonly string[]): string | null {
  const guesses = paths.filter((path) => ONCE_PER_REQUEST.includes(path));
  if (guesses.length <= 1) return null;
  const named = [...new Set(guesses)];
  return named.length === 1
    ? `A request may call ${named[0]} only once; send one login at a time.`
    : `A request may check the admin password only once (${named.join(', ')}); send one at a time.`;
}
