/**
 * After `backup restore --from URL`: the restored instance keeps sending copies to the target it
 * came back from. When the restored config.json does not already hold a target at that address, it
 * is added (secrets encrypted with the restored `.config_key`), sealed with the restored instance's
 * key when it has one. A sealed copy is never followed by plain ones: without a key there, the
 * target is left for the user to add. Never fails the restore: a problem is said in the result.
 */
import { formatTargetUrl, newTarget, sealKeyOf, isSealedBackupFileName, type TargetConnection } from '@evidence-locker/core';
import { readInstanceTargets, saveInstanceTargets } from './instance-targets.ts';
import { readInstanceSealSettings } from './seal-keys.ts';

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
    const read = await readInstanceTargets(dataDir);
    const location = formatTargetUrl(connection);
    const existing = read.targets.find((target) => formatTargetUrl(target) === location);
    if (existing !== undefined) {
      return { name: existing.name, added: false, message: `already in the restored settings as "${existing.name}"` };
    }
    const sealed = sealKeyOf(await readInstanceSealSettings(dataDir)) !== undefined;
    if (!sealed && isSealedBackupFileName(restoredName)) {
      return {
        name: null,
        added: false,
        message: `not added: the copy was sealed and the restored settings hold no seal key; add it with locker target add … --recipient age1…`,
      };
    }
    const taken = new Set(read.targets.map((target) => target.name.toLocaleLowerCase('en')));
    const base = baseName(connection).slice(0, 60);
    let name = base;
    for (let n = 2; taken.has(name.toLocaleLowerCase('en')); n += 1) name = `${base} ${n}`;
    const target = newTarget(connection, { name, sealed });
    await saveInstanceTargets(dataDir, [...read.targets, target], read.unreadable);
    return { name, added: true, message: `added to the restored settings as "${name}" (${sealed ? 'sealed' : 'plain'} copies)` };
  } catch (error) {
    return { name: null, added: false, message: `not added: ${error instanceof Error ? error.message : String(error)}` };
  }
}
