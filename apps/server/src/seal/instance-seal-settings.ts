/**
 * The running instance's seal settings (core's config/seal-settings.ts on its config.json and
 * `.config_key`), and what follows from them for the server: the key new backups are sealed with,
 * and the keys the pre-restore backup of a restore is sealed and opened with. Read each time they
 * are needed, so a saved change (or a restored config) takes effect at once.
 */
import {
  identitiesOf,
  openKeyOf,
  readConfigKey,
  readSealSettings,
  sealKeyOf,
  type ConfigPatch,
  type OpenKey,
  type SealKey,
  type SealSettings,
} from '@evidence-locker/core';
import type { Instance } from '../instance/instance.ts';

/** The instance's seal settings as saved now, decrypted; `problem` says why a saved mode reads as off. */
export function instanceSealSettings(instance: Instance): SealSettings & { problem: string | null } {
  return readSealSettings(instance.snapshot.config, instance.snapshot.configKey);
}

/**
 * Saves the patch `edit` makes of the seal settings config.json holds now (read under core's config
 * lock, so a key another process saved meanwhile is retired, not lost) and returns the settings
 * `edit` saw.
 */
export async function changeSealSettings(
  instance: Instance,
  edit: (current: SealSettings & { problem: string | null }) => ConfigPatch,
): Promise<SealSettings & { problem: string | null }> {
  let seen: (SealSettings & { problem: string | null }) | undefined;
  await instance.modifyConfig(async (config) => {
    seen = readSealSettings(config, await readConfigKey(instance.dataDir));
    return edit(seen);
  });
  return seen!;
}

/** The key new backups of `instance` are sealed with, or undefined when sealing is off. */
export function instanceSealKey(instance: Instance): SealKey | undefined {
  return sealKeyOf(instanceSealSettings(instance));
}

/**
 * How the pre-restore backup of a restore on `instance` is sealed (like the backup directory's
 * other backups) and opened again should the roll-back need it; undefined when sealing is off.
 */
export function instancePreRestoreSeal(instance: Instance): { seal: SealKey; open: OpenKey } | undefined {
  const settings = instanceSealSettings(instance);
  const seal = sealKeyOf(settings);
  if (seal === undefined) return undefined;
  const open = openKeyOf(settings, 'recipients' in seal ? 'identity' : 'passphrase');
  return open === undefined ? undefined : { seal, open };
}

/** Every identity the instance holds, current first (listings read sealed backups' triggers with them). */
export function instanceIdentities(instance: Instance): string[] {
  return identitiesOf(instanceSealSettings(instance));
}
