/**
 * The offsite targets a data directory's config.json holds (core's target-config: `backup_targets`,
 * secrets Fernet-encrypted with `.config_key`), read and saved for the `target` commands and the
 * pushes of `backup create` and `backup push`.
 */
import {
  LockerError,
  loadOrCreateConfigKey,
  readConfig,
  readConfigKey,
  readTargets,
  targetsPatch,
  updateConfig,
  type JsonValue,
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

/** Saves `targets` (and the entries that were not readable, as they were) into `dataDir`'s config.json. */
export async function saveInstanceTargets(
  dataDir: string,
  targets: readonly TargetConfig[],
  unreadable: readonly JsonValue[],
): Promise<void> {
  const configKey = await loadOrCreateConfigKey(dataDir);
  await updateConfig(dataDir, targetsPatch(targets, configKey, { unreadable }));
}
