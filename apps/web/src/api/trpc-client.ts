/**
 * The one tRPC client of the web app. Queries and mutations are batched over HTTP; subscriptions
 * (job progress) use server-sent events. Same-origin only: the session cookie travels by itself.
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '@evidence-locker/server';

/** The typed client the app uses. */
export type LockerClient = TRPCClient<AppRouter>;

/** Builds a client for `/trpc` on this origin (tests build their own fakes instead). */
export function createClient(url = '/trpc'): LockerClient {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: httpSubscriptionLink({ url }),
        false: httpBatchLink({ url }),
      }),
    ],
  });
}

/** The app's client. */
export const trpc: LockerClient = createClient();
