/**
 * After `backup restore --from URL`: the restored instance keeps sending copies to the target it
 * came back from, by core's planKeptTarget (the same rule as the server's restore from a target):
 * added to the restored config.json (secrets encrypted with the restored `.config_key`) unless a
 * target at that address is there, sealed with the restored instance's key when it has one, and
 * not added when the copy was sealed and the restored instance has no key. Never fails the
 * restore: a problem is said in the result.
 */
import { newTarget, planKeptTarget, readSealSettings, sealKeyOf, type TargetConnection } from '@evidence-locker/core';
import { changeInstanceTargets } from './instance-targets.ts';

export interface KeptTarget {
  /** The target's name in the restored settings, or null when it was not added. */
  name: string | null;
  added: boolean;
  message: string;
}

function baseName(connection: TargetConnection): string {
  if (connection.kind === 's3') return `Offsite ${connection.bucket}`;
  if (connection.kind === 'sftp') return `Offsite ${connection.host}`;
  return `Offsite ${new URL(connection.url).hostname}`;
}

export async function keepRestoredTarget(dataDir: string, connection: TargetConnection, restoredName: string): Promise<KeptTarget> {
  try {
    const wanted = newTarget(connection, { name: baseName(connection).slice(0, 60), sealed: true });
    // Planned on the targets and seal key config.json holds as it is saved (under the config lock).
    const plan = await changeInstanceTargets(dataDir, ({ targets, config, configKey }) => {
      const hasSealKey = sealKeyOf(readSealSettings(config, configKey)) !== undefined;
      const planned = planKeptTarget(targets, wanted, restoredName, hasSealKey);
      return { targets: planned.kind === 'add' ? planned.targets : null, answer: planned };
    });
    if (plan.kind === 'already') {
      return { name: plan.target.name, added: false, message: `already in the restored settings as "${plan.target.name}"` };
    }
    if (plan.kind === 'refused') {
      return {
        name: null,
        added: false,
        message:
          'not added: the copy was sealed and the restored settings hold no seal key; add it with locker target add … --recipient age1…',
      };
    }
    const { name, sealed } = plan.target;
    return { name, added: true, message: `added to the restored settings as "${name}" (${sealed ? 'sealed' : 'plain'} copies)` };
  } catch (error) {
    return { name: null, added: false, message: `not added: ${error instanceof Error ? error.message : String(error)}` };
  }
}
