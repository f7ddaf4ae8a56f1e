/**
 * What the app knows about the instance it talks to: configured or not, demo mode, admin password,
 * and whether this browser must log in. One shared copy, refreshed by the router guard and after
 * anything that changes it (setup, restore, login, logout).
 */
import { readonly, ref } from 'vue';
import type { InstanceState } from '../api/server-types.ts';
import { trpc, type LockerClient } from '../api/trpc-client.ts';

const state = ref<InstanceState | null>(null);
let pending: Promise<InstanceState> | null = null;

/** Reads the state from the server (concurrent callers share one request). */
export function refreshInstance(client: LockerClient = trpc): Promise<InstanceState> {
  pending ??= client.setup.state
    .query()
    .then((value) => {
      state.value = value;
      return value;
    })
    .finally(() => {
      pending = null;
    });
  return pending;
}

/** The shared state (null until first read) and its refresher. */
export function useInstance() {
  return { instance: readonly(state), refreshInstance };
}
