/**
 * The offsite targets a data directory's config.json holds (core's target-config: `backup_targets`,
 * secrets Fernet-encrypted with `.config_key`), read and saved for the `target` commands and the
 * pushes of `backup create` and `backup push`. A change is computed from the targets as read under
 * core's config lock (modifyConfig), so a target or any other setting the server (or another
 * command) saves meanwhile is kept.
 */
import {
  LockerError,
  loadOrCreateConfigKey,
  modifyConfig,
  readConfig,
  readConfigKey,
  readTargets,
  targetsPatch,
  type ConfigRecord,
  type FernetKey,
  type TargetConfig,
  type TargetsRead,
} from '@evidence-locker/core';

/** The targets of `dataDir` (none when it has no config.json). A `.config_key` that is not a key fails. */
export async function readInstanceTargets(dataDir: string): Promise<TargetsRead> {
  const { config } = await readConfig(dataDir);
  return readTargets(config, await readConfigKey(dataDir));
}

/** The target named `name` (ignoring case; or its id). NOT_FOUND-like INVALID_ARGUMENT naming the ones there are. */
export function findTarget(targets: readonly TargetConfig[], name: string, dataDir: string): TargetConfig {
  const key = name.normalize('NFC').toLocaleLowerCase('en');
  const found = targets.find((target) => target.id === name || target.name.normalize('NFC').toLocaleLowerCase('en') === key);
  if (found !== undefined) return found;
  const names = targets.map((target) => `"${target.name}"`).join(', ');
  throw new LockerError(
    'INVALID_ARGUMENT',
    `${dataDir} has no target named "${name}"${targets.length === 0 ? ' (it has none: add one with locker target add)' : ` (it has ${names})`}.`,
    { details: { name } },
  );
}

/** What `dataDir`'s config.json holds as a change runs (read under the config lock). */
export interface TargetsAsRead extends TargetsRead {
  config: ConfigRecord;
  configKey: FernetKey | null;
}

/**
 * Saves the targets `edit` makes of the ones `dataDir`'s config.json holds now (read under core's
 * config lock; the entries that were not readable written back as they were) and returns `edit`'s
 * answer. `targets: null` saves nothing; an error `edit` throws reaches the caller, nothing saved.
 */
export async function changeInstanceTargets<T>(
  dataDir: string,
  edit: (current: TargetsAsRead) => { targets: readonly TargetConfig[] | null; answer: T },
): Promise<T> {
  let answer: { value: T } | undefined;
  await modifyConfig(dataDir, async (config) => {
    const configKey = await readConfigKey(dataDir);
    const current = readTargets(config, configKey);
    const edited = edit({ ...current, config, configKey });
    answer = { value: edited.answer };
    if (edited.targets === null) return null;
    return targetsPatch(edited.targets, await loadOrCreateConfigKey(dataDir), { unreadable: current.unreadable });
  });
  return answer!.value;
}
