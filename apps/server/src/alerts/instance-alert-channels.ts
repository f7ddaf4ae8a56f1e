/**
 * The running instance's alert channels: read from its config.json each time (secrets decrypted
 * with `.config_key`), so a saved change or a restored config counts at once; changed through the
 * instance's modifyConfig (the list read under core's config lock), so two saves at once, from this
 * server or a CLI command on the same data directory, never lose one of them (as
 * targets/instance-targets.ts).
 */
import {
  alertChannelsPatch,
  loadOrCreateConfigKey,
  readAlertChannels,
  readConfigKey,
  type AlertChannel,
  type AlertChannelsRead,
} from '@evidence-locker/core';
import { refusal } from '../errors/server-refusal.ts';
import type { Instance } from '../instance/instance.ts';

/** The channels config.json holds now, with what is wrong with them. */
export function instanceAlertChannels(instance: Instance): AlertChannelsRead {
  return readAlertChannels(instance.snapshot.config, instance.snapshot.configKey);
}

/** The channel `id`; ALERT_CHANNEL_NOT_FOUND (404) when there is none. */
export function findAlertChannel(instance: Instance, id: string): AlertChannel {
  return instanceAlertChannels(instance).channels.find((channel) => channel.id === id) ?? alertChannelNotFound(id);
}

export function alertChannelNotFound(id: string): never {
  throw refusal('NOT_FOUND', 'ALERT_CHANNEL_NOT_FOUND', `There is no alert channel with the id ${id} (any more).`, { id });
}

/**
 * Saves the channels `edit` makes of the ones config.json holds now and returns `edit`'s answer;
 * edits run one after another, across processes too. INVALID_ARGUMENT from the check, or an error
 * `edit` throws, reaches the caller, nothing saved.
 */
export async function changeAlertChannels<T>(
  instance: Instance,
  edit: (channels: AlertChannel[]) => { channels: AlertChannel[]; answer: T },
): Promise<T> {
  let answer: { value: T } | undefined;
  await instance.modifyConfig(async (config) => {
    const current = readAlertChannels(config, await readConfigKey(instance.dataDir));
    const edited = edit(current.channels);
    answer = { value: edited.answer };
    const configKey = await loadOrCreateConfigKey(instance.dataDir);
    return alertChannelsPatch(edited.channels, configKey, { unreadable: current.unreadable });
  });
  return answer!.value;
}
