/**
 * How an instance seals its backups, as config.json holds it. These keys are this product's own
 * (DOCSight keeps keys it does not know as they are, so a config restored there and back keeps
 * them). The keys that open backups are Fernet-encrypted with `.config_key` like DOCSight's other
 * secrets (config-keys.ts: ENCRYPTED_KEYS) and are never sent to a browser; the recipient is public.
 *
 *   backup_seal_mode               "off" (or absent) | "identity" | "passphrase"
 *   backup_seal_recipient          the current identity's recipient (age1…), identity mode
 *   backup_seal_identity           the current identity (AGE-SECRET-KEY-1…), Fernet
 *   backup_seal_passphrase         the passphrase, Fernet
 *   backup_seal_retired_identities earlier identities, one per line, newest first, Fernet: a key
 *                                  change keeps the backups sealed before it readable here
 *   backup_seal_key_created        when the current key was made (ISO 8601), for the recovery kit
 */
import type { OpenKey, SealKey } from '../seal/seal-key.ts';
import type { SealedWith } from '../seal/sealed-input.ts';
import type { ConfigRecord, JsonValue } from './config-schema.ts';
import type { FernetKey } from './fernet.ts';
import { decryptSecret } from './read-secret.ts';

export const SEAL_MODE_KEY = 'backup_seal_mode';
export const SEAL_RECIPIENT_KEY = 'backup_seal_recipient';
export const SEAL_IDENTITY_KEY = 'backup_seal_identity';
export const SEAL_PASSPHRASE_KEY = 'backup_seal_passphrase';
export const SEAL_RETIRED_IDENTITIES_KEY = 'backup_seal_retired_identities';
export const SEAL_KEY_CREATED_KEY = 'backup_seal_key_created';

/** The seal keys stored Fernet-encrypted (part of ENCRYPTED_KEYS). */
export const SEAL_SECRET_KEYS: ReadonlySet<string> = new Set([SEAL_IDENTITY_KEY, SEAL_PASSPHRASE_KEY, SEAL_RETIRED_IDENTITIES_KEY]);

export const SEAL_MODES = ['off', 'identity', 'passphrase'] as const;
export type SealMode = (typeof SEAL_MODES)[number];

/** The seal settings of a config, decrypted. */
export interface SealSettings {
  mode: SealMode;
  /** The current recipient (identity mode), else null. */
  recipient: string | null;
  /** The current identity, when one is stored. */
  identity: string | null;
  /** The passphrase, when one is stored. */
  passphrase: string | null;
  /** Identities used before the current one, newest first. */
  retiredIdentities: string[];
  /** When the current key was made (ISO 8601), or null. */
  keyCreatedAt: string | null;
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/**
 * The seal settings of `config`, its secrets decrypted with `configKey`. A mode whose key is
 * missing or unreadable (a hand-edited config, a lost `.config_key`) reads as off: a backup is then
 * made plain rather than not at all, and `problem` says why.
 */
export function readSealSettings(config: ConfigRecord, configKey: FernetKey | null): SealSettings & { problem: string | null } {
  const secret = (name: string): string | null => {
    const value = decryptSecret(configKey, config[name]);
    // A value that did not decrypt comes back as the Fernet token itself: not a key.
    const plain = text(value);
    return plain === null || plain.startsWith('gAAAAA') ? null : plain;
  };
  const identity = secret(SEAL_IDENTITY_KEY);
  const passphrase = secret(SEAL_PASSPHRASE_KEY);
  const recipient = text(config[SEAL_RECIPIENT_KEY]);
  const retired = (secret(SEAL_RETIRED_IDENTITIES_KEY) ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('AGE-SECRET-KEY-1'));
  const stored = text(config[SEAL_MODE_KEY]);
  let mode: SealMode = stored === 'identity' || stored === 'passphrase' ? stored : 'off';
  let problem: string | null = null;
  if (mode === 'identity' && (identity === null || recipient === null)) {
    problem =
      'Sealing is on, but config.json holds no readable identity and recipient for it: backups are made plain until a key is set again.';
    mode = 'off';
  } else if (mode === 'passphrase' && passphrase === null) {
    problem = 'Sealing is on, but config.json holds no readable passphrase for it: backups are made plain until a passphrase is set again.';
    mode = 'off';
  }
  return {
    mode,
    recipient: mode === 'identity' ? recipient : null,
    identity,
    passphrase,
    retiredIdentities: retired,
    keyCreatedAt: text(config[SEAL_KEY_CREATED_KEY]),
    problem,
  };
}

/** The key new backups are sealed with, or undefined when sealing is off. */
export function sealKeyOf(settings: SealSettings): SealKey | undefined {
  if (settings.mode === 'identity' && settings.recipient !== null) return { recipients: [settings.recipient] };
  if (settings.mode === 'passphrase' && settings.passphrase !== null) return { passphrase: settings.passphrase };
  return undefined;
}

/**
 * The key this instance holds that may open a backup sealed `sealedWith` (peekSealedWith): every
 * identity it ever had for `identity`, the passphrase for `passphrase`; undefined when it holds none.
 */
export function openKeyOf(settings: SealSettings, sealedWith: SealedWith | null): OpenKey | undefined {
  const identities = [...(settings.identity === null ? [] : [settings.identity]), ...settings.retiredIdentities];
  if (sealedWith === 'passphrase') return settings.passphrase === null ? undefined : { passphrase: settings.passphrase };
  if (sealedWith === 'identity') return identities.length === 0 ? undefined : { identities };
  // Not known (a header not yet read): the identities when there are any, else the passphrase.
  if (identities.length > 0) return { identities };
  return settings.passphrase === null ? undefined : { passphrase: settings.passphrase };
}

/** Every identity this instance holds, current first (for listings that peek sealed backups). */
export function identitiesOf(settings: SealSettings): string[] {
  return [...(settings.identity === null ? [] : [settings.identity]), ...settings.retiredIdentities];
}

/** What to change in config.json for a new seal setting; pass it to updateConfig (which encrypts). */
export type SealChange =
  | { mode: 'identity'; identity: string; recipient: string; createdAt: string }
  | { mode: 'passphrase'; passphrase: string; createdAt: string }
  | { mode: 'off' };

/**
 * The config.json patch for `change` from `current`: a replaced identity joins the retired ones (so
 * the backups it sealed stay readable here), turning sealing off keeps every key (turning it on
 * again with the same key needs no new kit, and old sealed backups still open).
 */
export function sealSettingsPatch(change: SealChange, current: SealSettings): Record<string, JsonValue> {
  if (change.mode === 'off') return { [SEAL_MODE_KEY]: 'off' };
  const retired = [...current.retiredIdentities];
  if (current.identity !== null && (change.mode !== 'identity' || change.identity !== current.identity)) {
    retired.unshift(current.identity);
  }
  const patch: Record<string, JsonValue> = {
    [SEAL_MODE_KEY]: change.mode,
    [SEAL_KEY_CREATED_KEY]: change.createdAt,
    [SEAL_RETIRED_IDENTITIES_KEY]: [...new Set(retired)].join('\n'),
  };
  if (change.mode === 'identity') {
    patch[SEAL_IDENTITY_KEY] = change.identity;
    patch[SEAL_RECIPIENT_KEY] = change.recipient;
  } else {
    patch[SEAL_PASSPHRASE_KEY] = change.passphrase;
    patch[SEAL_IDENTITY_KEY] = '';
    patch[SEAL_RECIPIENT_KEY] = '';
  }
  return patch;
}
