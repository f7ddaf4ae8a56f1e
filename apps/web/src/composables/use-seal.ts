/**
 * The settings page's view of sealed backups (seal.get): off, or on with a generated key or a
 * passphrase. SettingsPage provides one copy (provideSeal); the sealing section changes it, and the
 * download section reads it to offer a sealed download only while a key is set.
 */
import { inject, onMounted, provide, ref, shallowRef, type InjectionKey, type Ref, type ShallowRef } from 'vue';
import { errorMessage } from '../api/error-message.ts';
import type { SealState } from '../api/server-types.ts';
import { trpc, type LockerClient } from '../api/trpc-client.ts';
import { i18n } from '../i18n/i18n.ts';

/** The sealing state, with what reads and replaces it. */
export interface Seal {
  /** The state; null until the first answer. */
  state: Readonly<ShallowRef<SealState | null>>;
  /** Why it could not be read (in the user's language), or null. */
  loadError: Readonly<Ref<string | null>>;
  /** Reads it again. Never rejects. */
  refresh: () => Promise<void>;
  /** Takes the state a change answered with (seal.confirm, seal.disable). */
  set: (state: SealState) => void;
}

const SEAL: InjectionKey<Seal> = Symbol('seal');

/** A fresh copy, reading through `client` (tests pass a fake). */
export function createSeal(client: Pick<LockerClient, 'seal'> = trpc): Seal {
  const state = shallowRef<SealState | null>(null);
  const loadError = ref<string | null>(null);

  async function refresh(): Promise<void> {
    try {
      state.value = await client.seal.get.query();
      loadError.value = null;
    } catch (caught) {
      loadError.value = errorMessage(caught, i18n.global.t('common.networkError'));
    }
  }

  function set(next: SealState): void {
    state.value = next;
    loadError.value = null;
  }

  return { state, loadError, refresh, set };
}

/** Creates the page's copy, reads it when the page mounts and offers it to the page's sections. */
export function provideSeal(client?: Pick<LockerClient, 'seal'>): Seal {
  const seal = createSeal(client);
  provide(SEAL, seal);
  onMounted(() => void seal.refresh());
  return seal;
}

/** The copy of the page this component is on (SettingsPage provides it). */
export function useSeal(): Seal {
  const seal = inject(SEAL);
  if (!seal) throw new Error('useSeal() needs provideSeal() in a parent component (SettingsPage).');
  return seal;
}
