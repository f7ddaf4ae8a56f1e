/**
 * The running instance's alert channels: read from its config.json each time (secrets decrypted
 * with `.config_key`), so a saved change or a restored config counts at once; changed one edit at
 * a time per instance, so two saves at once never lose one of them (as targets/instance-targets.ts).
 */
import {
  alertChannelsPatch,
  loadOrCreateConfigKey,
  readAlertChannels,
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

const changes = new WeakMap<Instance, Promise<unknown>>();

/**
 * Saves the channels `edit` makes of the current ones and returns `edit`'s answer; edits of one
 * instance run one after another. INVALID_ARGUMENT from the check reaches the caller, nothing saved.
 */
export function changeAlertChannels<T>(
  instance: Instance,
  edit: (channels: AlertChannel[]) => { channels: AlertChannel[]; answer: T },
): Promise<T> {
  const previous = changes.get(instance) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const current = instanceAlertChannels(instance);
      const { channels, answer } = edit(current.channels);
      const configKey = await loadOrCreateConfigKey(instance.dataDir);
      await instance.updateConfig(alertChannelsPatch(channels, configKey, { unreadable: current.unreadable }));
      return answer;
    });
  changes.set(instance, run);
  return run;
}
