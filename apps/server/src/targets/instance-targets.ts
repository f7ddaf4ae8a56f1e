/**
 * The running instance's offsite targets: read from its config.json (core's readTargets, secrets
 * decrypted with `.config_key`) each time they are needed, so a saved change or a restored config
 * counts at once; changed one at a time per instance (read, edit, targetsPatch, updateConfig), so
 * two saves at once never lose one of them.
 */
import { loadOrCreateConfigKey, readTargets, targetsPatch, type TargetConfig, type TargetsRead } from '@evidence-locker/core';
import { refusal } from '../errors/server-refusal.ts';
import type { Instance } from '../instance/instance.ts';

/** The targets config.json holds now, with what is wrong with them. */
export function instanceTargets(instance: Instance): TargetsRead {
  return readTargets(instance.snapshot.config, instance.snapshot.configKey);
}

/** The target `id` of `instance`; TARGET_NOT_FOUND (404) when there is none. */
export function findInstanceTarget(instance: Instance, id: string): TargetConfig {
  const target = instanceTargets(instance).targets.find((candidate) => candidate.id === id);
  if (target === undefined) {
    throw refusal('NOT_FOUND', 'TARGET_NOT_FOUND', `There is no offsite target with the id ${id} (any more).`, { id });
  }
  return target;
}

const changes = new WeakMap<Instance, Promise<unknown>>();

/**
 * Saves the targets `edit` makes of the current ones (secrets encrypted with `.config_key`, made
 * when missing; entries that are not targets written back as they were) and returns `edit`'s
 * answer. Edits of one instance run one after another. targetsPatch's INVALID_ARGUMENT (a repeated
 * name, a bad field) reaches the caller and nothing is saved.
 */
export function changeInstanceTargets<T>(
  instance: Instance,
  edit: (targets: TargetConfig[]) => { targets: TargetConfig[]; answer: T },
): Promise<T> {
  const previous = changes.get(instance) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const current = instanceTargets(instance);
      const { targets, answer } = edit(current.targets);
      const configKey = await loadOrCreateConfigKey(instance.dataDir);
      await instance.updateConfig(targetsPatch(targets, configKey, { unreadable: current.unreadable }));
      return answer;
    });
  changes.set(instance, run);
  return run;
}
