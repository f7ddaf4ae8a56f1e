/**
 * How copies sent to a target are sealed: `sealed: false` sends them plain (a backup sealed here
 * stays sealed: it is sent as it is); a `recipient` seals for that age recipient; otherwise the
 * instance's own key (its seal settings, read now). Sealed by default with neither an instance key
 * nor a recipient is refused (TARGET_SEAL_NO_KEY) rather than quietly sent plain.
 */
import { sealKeyOf, type SealKey, type TargetConfig } from '@evidence-locker/core';
import { refusal } from '../errors/server-refusal.ts';
import type { Instance } from '../instance/instance.ts';
import { instanceSealSettings } from '../seal/instance-seal-settings.ts';

/** The key copies to `target` are sealed with, undefined for plain copies; TARGET_SEAL_NO_KEY (409) when there is none to use. */
export function targetSealKey(target: Pick<TargetConfig, 'name' | 'sealed' | 'recipient'>, instance: Instance): SealKey | undefined {
  if (!target.sealed) return undefined;
  if (target.recipient !== undefined) return { recipients: [target.recipient] };
  const key = sealKeyOf(instanceSealSettings(instance));
  if (key !== undefined) return key;
  throw refusal(
    'CONFLICT',
    'TARGET_SEAL_NO_KEY',
    `Copies to "${target.name}" are to be sealed with this instance's key, but sealing is off here. Turn sealing on (Settings, Sealed backups), give the target its own age recipient, or choose plain copies for it.`,
    { name: target.name },
  );
}
