/**
 * The typed tRPC client of the server (`createLockerClient` from `@evidence-locker/server/client`,
 * typed with its AppRouter), set up for a harness: a session cookie, extra headers, the `Origin`
 * a browser sends with a POST, and a deadline on every request, so a hung server fails a test
 * instead of stalling it.
 */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { TRPCClient } from '@trpc/client';
import type { AppRouter } from '@evidence-locker/server';
import { createLockerClient } from '@evidence-locker/server/client';

/** A typed client of the whole API. */
export type LockerClient = TRPCClient<AppRouter>;
/** What every procedure answers, as the server declares it. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
/** What every procedure takes. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** A job as `jobs.get` answers it. */
export type JobSnapshot = RouterOutputs['jobs']['get'];

/** Options of {@link createClient}. */
export interface CreateClientOptions {
  /** A `Cookie` header for every request (the session of a logged-in admin). */
  cookie?: string;
  /** More headers for every request. */
  headers?: Record<string, string>;
  /** Sent as `Origin` with every POST (mutations), as a browser on that origin does; default none. */
  origin?: string;
  /** Each request fails after this long (ms); default 60 s. */
  timeoutMs?: number;
}

/** A client of the server at `url` (its origin, e.g. http://127.0.0.1:41234). */
export function createClient(url: string, options: CreateClientOptions = {}): LockerClient {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const headers = { ...options.headers, ...(options.cookie ? { cookie: options.cookie } : {}) };
  const fetchWithDeadline: typeof fetch = (input, init = {}) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const requestHeaders = new Headers(init.headers);
    if (options.origin && init.method?.toUpperCase() === 'POST') requestHeaders.set('origin', options.origin);
    return fetch(input, { ...init, headers: requestHeaders, signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
  return createLockerClient(url, { headers, fetch: fetchWithDeadline });
}
