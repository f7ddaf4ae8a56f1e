/**
 * After a restore from a target, the restored instance keeps sending copies to it: core's
 * planKeptTarget decides (the same rule as `locker backup restore --from`), and the target is
 * saved with its secrets encrypted with the RESTORED `.config_key` (targets/instance-targets.ts:
 * core's targetsPatch through the instance's updateConfig, so the restored instance reads them at
 * once).
 *
 * A failure here never undoes the restore: the job's result says what was not added, and why.
 */
import { planKeptTarget, readSealSettings, sealKeyOf, type TargetConfig } from '@evidence-locker/core';
import type { AuditLogger } from '../audit.ts';
import type { Instance } from '../instance/instance.ts';
import { changeInstanceTargets } from '../targets/instance-targets.ts';
import type { RestoreJobResult } from './restore-job-result.ts';

export type KeptTarget = NonNullable<RestoreJobResult['offsiteTarget']>;

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
  try {
    return await changeInstanceTargets(instance, (targets, { config, configKey }) => {
      // The seal key as config.json holds it now (read with the targets, under the config lock).
      const hasSealKey = sealKeyOf(readSealSettings(config, configKey)) !== undefined;
      const plan = planKeptTarget(targets, wanted, restoredName, hasSealKey);
      // Nothing to save: thrown out of the edit so nothing is written.
      if (plan.kind === 'already') throw new NotAdded({ id: plan.target.id, name: plan.target.name, added: false, problem: null });
      if (plan.kind === 'refused') throw new NotAdded(notAdded(plan.problem));
      return { targets: plan.targets, answer: { id: plan.target.id, name: plan.target.name, added: true, problem: null } };
    });
  } catch (error) {
    if (error instanceof NotAdded) return error.kept;
    log.warn({ err: error, target: wanted.name }, 'The restored instance could not keep the target it was restored from');
    return notAdded(error instanceof Error ? error.message : String(error));
  }
}

/** The plan adds nothing (already there, or refused): carried out of the edit so nothing is written. */
class NotAdded extends Error {
  constructor(readonly kept: KeptTarget) {
    super('nothing to add');
  }
}
