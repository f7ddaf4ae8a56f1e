/**
 * The settings page's view of the stored backups: the list in the backup path and the schedule's
 * state, each loaded once when the page mounts and again after anything that changes them.
 * SettingsPage provides one copy (provideBackups); its sections read it and call `changed()`
 * after a backup, a deletion, a restore or a saved setting (useBackups), so no section reaches
 * into another to refresh it.
 */
import { inject, onMounted, provide, ref, shallowRef, type InjectionKey, type Ref, type ShallowRef } from 'vue';
import { errorMessage } from '../api/error-message.ts';
import type { BackupList, ScheduleState } from '../api/server-types.ts';
import { trpc, type LockerClient } from '../api/trpc-client.ts';
import { i18n } from '../i18n/i18n.ts';

/** The stored backups and the schedule, with what refreshes them. */
export interface Backups {
  /** The backups in the backup path, newest first; null until the first answer. */
  list: Readonly<ShallowRef<BackupList | null>>;
  /** Why the list could not be read (in the user's language), or null. */
  loadError: Readonly<Ref<string | null>>;
  /** The schedule's state; null until the first answer, and kept when a later read fails. */
  schedule: Readonly<ShallowRef<ScheduleState | null>>;
  /** Reads the list again. */
  refreshList: () => Promise<void>;
  /** Reads the schedule's state again. */
  refreshSchedule: () => Promise<void>;
  /** Reads both again: after a backup, a deletion, a restore or saved settings. Never rejects. */
  changed: () => Promise<void>;
}

const BACKUPS: InjectionKey<Backups> = Symbol('backups');

/** A fresh copy of the state, reading through `client` (tests pass a fake). */
export function createBackups(client: Pick<LockerClient, 'backups'> = trpc): Backups {
  const list = shallowRef<BackupList | null>(null);
  const loadError = ref<string | null>(null);
  const schedule = shallowRef<ScheduleState | null>(null);

  async function refreshList(): Promise<void> {
    try {
      list.value = await client.backups.list.query();
      loadError.value = null;
    } catch (caught) {
      loadError.value = errorMessage(caught, i18n.global.t('common.networkError'));
    }
  }

  async function refreshSchedule(): Promise<void> {
    schedule.value = await client.backups.schedule.query().catch(() => schedule.value);
  }

  async function changed(): Promise<void> {
    await Promise.all([refreshList(), refreshSchedule()]);
  }

  return { list, loadError, schedule, refreshList, refreshSchedule, changed };
}

/** Creates the page's copy, loads it when the page mounts and offers it to the page's sections. */
export function provideBackups(client?: Pick<LockerClient, 'backups'>): Backups {
  const backups = createBackups(client);
  provide(BACKUPS, backups);
  onMounted(() => void backups.changed());
  return backups;
}

/** The copy of the page this component is on (SettingsPage provides it). */
export function useBackups(): Backups {
  const backups = inject(BACKUPS);
  if (!backups) throw new Error('useBackups() needs provideBackups() in a parent component (SettingsPage).');
  return backups;
}
