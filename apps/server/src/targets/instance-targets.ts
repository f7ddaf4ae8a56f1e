/**
 * The running instance's offsite targets: read from its config.json (core's readTargets, secrets
 * decrypted with `.config_key`) each time they are needed, so a saved change or a restored config
 * counts at once; changed through the instance's modifyConfig (read under core's config lock, edit,
 * targetsPatch, write), so two saves at once, from this server or a CLI command on the same data
 * directory, never lose one of them.
 */
import {
  loadOrCreateConfigKey,
  readConfigKey,
  readTargets,
  targetsPatch,
  type ConfigRecord,
  type FernetKey,
  type TargetConfig,
  type TargetsRead,
} from '@evidence-locker/core';
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

/** What config.json holds as an edit runs (read under the config lock), for edits that need more than the targets. */
export interface ConfigAsRead {
  config: ConfigRecord;
  configKey: FernetKey | null;
}

/**
 * Saves the targets `edit` makes of the ones config.json holds now (secrets encrypted with
 * `.config_key`, made when missing; entries that are not targets written back as they were) and
 * returns `edit`'s answer. Edits run one after another, across processes too (the instance's
 * modifyConfig). An error `edit` throws, or targetsPatch's INVALID_ARGUMENT (a repeated name, a bad
 * field), reaches the caller and nothing is saved.
 */
export async function changeInstanceTargets<T>(
  instance: Instance,
  edit: (targets: TargetConfig[], current: ConfigAsRead) => { targets: TargetConfig[]; answer: T },
): Promise<T> {
  let answer: { value: T } | undefined;
  await instance.modifyConfig(async (config) => {
    const readKey = await readConfigKey(instance.dataDir);
    const current = readTargets(config, readKey);
    const edited = edit(current.targets, { config, configKey: readKey });
    answer = { value: edited.answer };
    const configKey = await loadOrCreateConfigKey(instance.dataDir);
    return targetsPatch(edited.targets, configKey, { unreadable: current.unreadable });
  });
  return answer!.value;
}
