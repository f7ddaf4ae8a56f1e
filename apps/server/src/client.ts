/**
 * A typed client for the Evidence Locker API, for other workspace apps and scripts (the web app
 * builds its own with the same links). Queries and mutations are batched over HTTP; subscriptions
 * (job progress) use SSE. This module imports only the AppRouter *type* from the server.
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from './trpc/routers/_app.ts';

/** Options of {@link createLockerClient}. */
export interface LockerClientOptions {
  /** fetch to use (default: global fetch), e.g. one that keeps cookies. */
  fetch?: typeof fetch;
  /** Extra headers for every HTTP call (e.g. `cookie` in a Node script). */
  headers?: Record<string, string> | (() => Record<string, string>);
  /**
   * EventSource implementation for subscriptions (default: the global one; browsers and Node 22+
   * have it, Node 20 needs a ponyfill).
   */
  EventSource?: typeof EventSource;
}

/**
 * A client for the server at `url` (its origin, e.g. http://127.0.0.1:8765; `/trpc` is added).
 */
export function createLockerClient(url: string, options: LockerClientOptions = {}): TRPCClient<AppRouter> {
  const endpoint = `${url.replace(/\/+$/, '')}/trpc`;
  const headers = options.headers;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: httpSubscriptionLink({
          url: endpoint,
          ...(options.EventSource ? { EventSource: options.EventSource } : {}),
        }),
        false: httpBatchLink({
          url: endpoint,
          ...(options.fetch ? { fetch: options.fetch } : {}),
          ...(headers ? { headers: typeof headers === 'function' ? headers : () => headers } : {}),
        }),
      }),
    ],
  });
}
