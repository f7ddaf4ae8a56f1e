/**
 * After a restore from a target, the restored instance keeps sending copies to it: when the
 * restored config.json holds no target with the same address (its URL form, core's
 * formatTargetUrl), the target is added to it, its secrets encrypted with the RESTORED
 * `.config_key` (targets/instance-targets.ts: core's targetsPatch through the instance's
 * updateConfig, so the restored instance reads them at once). Its id is kept unless the restored
 * config uses it; its name gets " (2)", " (3)"… when another target has it.
 *
 * Sealing, as `locker backup restore --from` decides it (cli/keep-restored-target.ts): a target
 * that seals with the instance's key, on a restored instance that holds none, would fail every
 * push; it is added plain when the restored copy was plain, and not added when the copy was sealed
 * (a sealed copy is never followed by plain ones without the user saying so).
 *
 * A failure here never undoes the restore: the job's result says what was not added, and why.
 */
import { formatTargetUrl, isSealedBackupFileName, TargetAddressSchema, TARGET_NAME_MAX, type TargetConfig } from '@evidence-locker/core';
import type { AuditLogger } from '../audit.ts';
import type { Instance } from '../instance/instance.ts';
import { instanceSealKey } from '../seal/instance-seal-settings.ts';
import { changeInstanceTargets } from '../targets/instance-targets.ts';
import type { RestoreJobResult } from './restore-job-result.ts';

export type KeptTarget = NonNullable<RestoreJobResult['offsiteTarget']>;

/** The target's address in its URL form, the same for the same place whatever else differs. */
export function targetAddressKey(target: object): string | null {
  const address = TargetAddressSchema.safeParse(target);
  return address.success ? formatTargetUrl(address.data).toLowerCase() : null;
}

/**
 * Adds `wanted` (secrets plain) to the restored instance's targets unless one has its address;
 * `restoredName`: the copy that was restored.
 */
export async function keepRestoredTarget(
  instance: Instance,
  wanted: TargetConfig,
  restoredName: string,
  log: Pick<AuditLogger, 'warn'>,
): Promise<KeptTarget> {
  const notAdded = (problem: string): KeptTarget => ({ id: null, name: wanted.name, added: false, problem });
  let target: TargetConfig = wanted;
  if (wanted.sealed && wanted.recipient === undefined && instanceSealKey(instance) === undefined) {
    if (isSealedBackupFileName(restoredName)) {
      return notAdded(
        'The restored settings have no key to seal copies with, and this target had sealed copies: turn sealing on (or give the target a recipient) and add the target again.',
      );
    }
    target = { ...wanted, sealed: false };
  }
  try {
    return await changeInstanceTargets(instance, (targets) => {
      const key = targetAddressKey(target);
      const same = targets.find((candidate) => targetAddressKey(candidate) === key);
      if (same !== undefined) throw new KeptAlready({ id: same.id, name: same.name, added: false, problem: null });
      const names = new Set(targets.map((candidate) => nameKey(candidate.name)));
      const added: TargetConfig = {
        ...target,
        id: targets.some((candidate) => candidate.id === target.id) ? crypto.randomUUID() : target.id,
        name: freeName(target.name, names),
      };
      return { targets: [...targets, added], answer: { id: added.id, name: added.name, added: true, problem: null } };
    });
  } catch (error) {
    if (error instanceof KeptAlready) return error.kept;
    log.warn({ err: error, target: wanted.name }, 'The restored instance could not keep the target it was restored from');
    return notAdded(error instanceof Error ? error.message : String(error));
  }
}

/** Nothing to save: the restored config has the target already (thrown out of the edit so nothing is written). */
class KeptAlready extends Error {
  constructor(readonly kept: KeptTarget) {
    super('kept already');
  }
}

function nameKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('en');
}

function freeName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(nameKey(name))) return name;
  for (let n = 2; ; n += 1) {
    const suffix = ` (${n})`;
    const candidate = `${[...name]
      .slice(0, TARGET_NAME_MAX - suffix.length)
      .join('')
      .trimEnd()}${suffix}`;
    if (!taken.has(nameKey(candidate))) return candidate;
  }
}
