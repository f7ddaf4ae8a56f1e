/**
 * A config.json key holding a list of named entries whose `secrets` are write-only: stored as Fernet
 * tokens made with the instance's `.config_key`, decrypted only inside the server. The offsite
 * targets (targets/target-config.ts) and the alert channels (alerts/alert-channel-config.ts) are
 * such lists; this module is the one home of how they are read and written back:
 *
 * - read: each entry parsed with the kind's schema, its secrets decrypted; never throws and never
 *   drops an entry (one whose secret does not decrypt is kept with `unusable` and its tokens in
 *   `undecryptedSecrets`, one that is not an entry at all is kept in `unreadable`);
 * - patch: each entry checked, its secrets encrypted (a token that did not decrypt written back
 *   unless a new value replaces it), names unique ignoring case, then the unreadable entries as
 *   they were. Throws INVALID_ARGUMENT naming the entry and what is wrong.
 */
import { z } from 'zod';
import type { ConfigRecord, JsonValue } from './config-schema.ts';
import { fernetDecrypt, fernetEncrypt, type FernetKey } from './fernet.ts';
import { LockerError } from '../errors.ts';
import { CONTROL_CHARACTER } from '../targets/target-address.ts';

/** An entry's name: not empty, no space at either end, at most `max` characters, no control character. */
export function entryNameSchema(max: number) {
  return z.string({ error: 'name must be text.' }).superRefine((name, context) => {
    let message: string | null = null;
    if (name.trim() === '') message = 'The name is empty.';
    else if (name.trim() !== name) message = 'The name begins or ends with a space.';
    else if ([...name].length > max) message = `The name is longer than ${max} characters.`;
    else if (CONTROL_CHARACTER.test(name)) message = 'The name holds a control character.';
    if (message !== null) context.addIssue({ code: 'custom', message });
  });
}

/** What every entry of such a list has: an id, a name and its secrets by name. */
export interface SecretListEntry {
  id: string;
  name: string;
  secrets: Partial<Record<string, string>>;
}

/** An entry with its secrets decrypted. */
export type DecryptedEntry<Stored extends SecretListEntry, SecretName extends string> = Stored & {
  /** Why it cannot be used as it is (a secret that no longer decrypts); absent when it can. */
  unusable?: string;
  /** Secrets that did not decrypt, kept as their tokens so that saving never loses them. */
  undecryptedSecrets?: Partial<Record<SecretName, string>>;
};

/** Something wrong with the stored list; `index` is the entry's place in the array. */
export interface SecretListProblem {
  index: number;
  /** The entry's id and name when it has them. */
  id?: string;
  name?: string;
  message: string;
}

/** Result of {@link readSecretList}. */
export interface SecretListRead<Entry> {
  /** Every entry with the kind's shape, in stored order. */
  entries: Entry[];
  /** What is wrong: unreadable entries, undecryptable secrets (and repeats, with `uniqueIds`). */
  problems: SecretListProblem[];
  /** Entries that are not of the kind (hand-edited), kept so that secretListPatch writes them back. */
  unreadable: JsonValue[];
}

/** One kind of list: where config.json holds it and how its entries are checked and named. */
export interface SecretListKind<Stored extends SecretListEntry, SecretName extends string> {
  /** The config.json key. */
  key: string;
  /** What an entry is called in messages, in lower case: "target", "alert channel". */
  noun: string;
  /** An entry as config.json holds it (secrets as Fernet tokens). */
  schema: { safeParse(value: unknown): z.ZodSafeParseResult<Stored> };
  /** Why an entry whose `lost` secrets do not decrypt cannot be used. */
  unusable(entry: Stored, lost: SecretName[]): string;
  /** Checks an entry with its secrets in plain text before they are encrypted (throws INVALID_ARGUMENT). */
  check?(entry: DecryptedEntry<Stored, SecretName>): void;
  /** Read reports repeated ids and names, and patch refuses repeated ids (repeated names are refused either way). */
  uniqueIds: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The entries stored under `kind.key` in `config`, secrets decrypted with `configKey` (null: none decrypts). */
export function readSecretList<Stored extends SecretListEntry, SecretName extends string>(
  config: ConfigRecord,
  configKey: FernetKey | null,
  kind: SecretListKind<Stored, SecretName>,
): SecretListRead<DecryptedEntry<Stored, SecretName>> {
  const result: SecretListRead<DecryptedEntry<Stored, SecretName>> = { entries: [], problems: [], unreadable: [] };
  const stored = config[kind.key];
  if (stored === undefined || stored === null) return result;
  if (!Array.isArray(stored)) {
    result.unreadable.push(stored);
    result.problems.push({ index: 0, message: `${kind.key} in config.json is not a list; it is kept as it is.` });
    return result;
  }
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const [index, item] of stored.entries()) {
    const parsed = kind.schema.safeParse(item);
    if (!parsed.success) {
      result.unreadable.push(item);
      result.problems.push({
        index,
        ...identity(item),
        message: `${capitalized(kind.noun)} ${index + 1} in config.json is not readable (${secretListIssue(parsed.error)}).`,
      });
      continue;
    }
    const entry: DecryptedEntry<Stored, SecretName> = parsed.data;
    const plain: Record<string, string> = {};
    const undecrypted: Partial<Record<SecretName, string>> = {};
    for (const [name, token] of Object.entries(entry.secrets) as [SecretName, string | undefined][]) {
      if (token === undefined) continue;
      const value = decrypt(configKey, token);
      if (value === null) undecrypted[name] = token;
      else plain[name] = value;
    }
    (entry as SecretListEntry).secrets = plain;
    const lost = Object.keys(undecrypted) as SecretName[];
    if (lost.length > 0) {
      entry.undecryptedSecrets = undecrypted;
      entry.unusable = kind.unusable(entry, lost);
      result.problems.push({ index, id: entry.id, name: entry.name, message: entry.unusable });
    }
    if (kind.uniqueIds) {
      const plural = `${kind.noun}s`;
      if (ids.has(entry.id))
        result.problems.push({ index, id: entry.id, name: entry.name, message: `Two ${plural} have the id ${entry.id}.` });
      if (names.has(nameKey(entry.name)))
        result.problems.push({ index, id: entry.id, name: entry.name, message: `Two ${plural} are named "${entry.name}".` });
      ids.add(entry.id);
      names.add(nameKey(entry.name));
    }
    result.entries.push(entry);
  }
  return result;
}

/**
 * The config.json patch storing `entries` (for updateConfig), then `unreadable` entries as they
 * were; INVALID_ARGUMENT naming the entry and the field that is wrong.
 */
export function secretListPatch<Stored extends SecretListEntry, SecretName extends string>(
  entries: readonly DecryptedEntry<Stored, SecretName>[],
  configKey: FernetKey,
  kind: SecretListKind<Stored, SecretName>,
  options: { unreadable?: readonly JsonValue[] } = {},
): Record<string, JsonValue> {
  const ids = new Set<string>();
  const names = new Set<string>();
  const stored: JsonValue[] = [];
  for (const entry of entries) {
    kind.check?.(entry);
    const { unusable: _unusable, undecryptedSecrets, ...fields } = entry;
    const secrets: Record<string, string> = { ...undecryptedSecrets };
    for (const [name, value] of Object.entries(entry.secrets)) {
      if (typeof value === 'string' && value !== '') secrets[name] = fernetEncrypt(configKey, value);
    }
    const parsed = kind.schema.safeParse({ ...fields, secrets });
    const label =
      typeof entry.name === 'string' && entry.name !== ''
        ? `The ${kind.noun} "${entry.name}"`
        : `${/^[aeiou]/.test(kind.noun) ? 'An' : 'A'} ${kind.noun}`;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LockerError('INVALID_ARGUMENT', `${label} cannot be saved: ${secretListIssue(parsed.error)}`, {
        details: { id: entry.id, field: issue?.path.join('.') },
      });
    }
    if (kind.uniqueIds && ids.has(parsed.data.id)) {
      throw new LockerError('INVALID_ARGUMENT', `${label} has the id of another ${kind.noun}.`, { details: { id: entry.id } });
    }
    if (names.has(nameKey(parsed.data.name))) {
      throw new LockerError('INVALID_ARGUMENT', `Another ${kind.noun} is already named "${parsed.data.name}": choose another name.`, {
        details: { id: entry.id, field: 'name' },
      });
    }
    ids.add(parsed.data.id);
    names.add(nameKey(parsed.data.name));
    stored.push(parsed.data as unknown as JsonValue);
  }
  return { [kind.key]: [...stored, ...(options.unreadable ?? [])] };
}

/** The first issue of a failed parse, as "path: message" for an error a user reads. */
export function secretListIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'unexpected shape';
  const where = issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
  return `${where}${issue.message}`;
}

function decrypt(key: FernetKey | null, token: string): string | null {
  if (key === null) return null;
  try {
    return strictUtf8.decode(fernetDecrypt(key, token));
  } catch {
    return null;
  }
}

/** Names compare ignoring case (and Unicode normalization). */
function nameKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('en');
}

function capitalized(noun: string): string {
  return noun.charAt(0).toUpperCase() + noun.slice(1);
}

function identity(item: JsonValue): { id?: string; name?: string } {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return {};
  return {
    ...(typeof item.id === 'string' ? { id: item.id } : {}),
    ...(typeof item.name === 'string' ? { name: item.name } : {}),
  };
}
