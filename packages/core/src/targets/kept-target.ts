/**
 * After a restore from a target, the restored instance keeps sending copies to it. The one rule,
 * shared by the server's restore from a target and `locker backup restore --from`; the callers
 * read and save the restored config.json.
 *
 * - A target already in the restored settings at the same address (its URL form, formatTargetUrl,
 *   compared without case) is kept as it is: nothing is added.
 * - Sealing: a target that seals with the instance's key, on a restored instance that holds none,
 *   would fail every push. It is added plain when the restored copy was plain, and not added when
 *   the copy was sealed: a sealed copy is never followed by plain ones without the user saying so.
 * - Its id is kept unless the restored settings use it; its name gets " (2)", " (3)"… when another
 *   target has it (names compare without case, NFC).
 */
import { isSealedBackupFileName } from '../backup-dir/is-backup-file-name.ts';
import { TARGET_NAME_MAX, type TargetConfig } from './target-config.ts';
import { TargetAddressSchema } from './target-address.ts';
import { formatTargetUrl } from './target-url.ts';

/** What to do with the target a restore came from. */
export type KeptTargetPlan =
  | { kind: 'already'; target: TargetConfig }
  | { kind: 'refused'; problem: string }
  | { kind: 'add'; target: TargetConfig; targets: TargetConfig[] };

/** The target's address in its URL form, the same for the same place whatever else differs. */
export function targetAddressKey(target: object): string | null {
  const address = TargetAddressSchema.safeParse(target);
  return address.success ? formatTargetUrl(address.data).toLowerCase() : null;
}

/**
 * The plan for `wanted` (the target the copy `restoredName` came from) given the restored
 * instance's `targets` and whether it has a seal key. `add` carries the target as it is to be saved
 * and the whole new list.
 */
export function planKeptTarget(
  targets: readonly TargetConfig[],
  wanted: TargetConfig,
  restoredName: string,
  restoredHasSealKey: boolean,
): KeptTargetPlan {
  const key = targetAddressKey(wanted);
  const same = targets.find((candidate) => targetAddressKey(candidate) === key);
  if (same !== undefined) return { kind: 'already', target: same };
  let target = wanted;
  if (wanted.sealed && wanted.recipient === undefined && !restoredHasSealKey) {
    if (isSealedBackupFileName(restoredName)) {
      return {
        kind: 'refused',
        problem:
          'The restored settings have no key to seal copies with, and this target had sealed copies: turn sealing on (or give the target a recipient) and add the target again.',
      };
    }
    target = { ...wanted, sealed: false };
  }
  const names = new Set(targets.map((candidate) => nameKey(candidate.name)));
  const added: TargetConfig = {
    ...target,
    id: targets.some((candidate) => candidate.id === target.id) ? crypto.randomUUID() : target.id,
    name: freeName(target.name, names),
  };
  return { kind: 'add', target: added, targets: [...targets, added] };
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
