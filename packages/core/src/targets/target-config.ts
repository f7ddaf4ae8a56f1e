/**
 * Targets as config.json stores them: key `backup_targets`, a JSON array with one object per
 * target. The key is this product's own; DOCSight keeps keys it does not know as they are, so the
 * array survives a round trip there, and a restored config.json brings its targets back.
 *
 *   { "id": uuid, "name": "NAS in the basement", "kind": "s3" | "sftp" | "webdav",
 *     "enabled": true, "sealed": true, "recipient"?: "age1…", "retention": { "keepLast"?, "keepDays"?, "daily"?, "weekly"?, "monthly"?, "includeManual"?, "includePreRestore"? },
 *     ...the address fields (target-address.ts), "accessKeyId" (S3), "hostKeyFingerprint"? (SFTP),
 *     "secrets": { "secretAccessKey" | "password" | "privateKey" | "privateKeyPassphrase": Fernet token },
 *     "createdAt": ISO 8601 }
 *
 * `sealed` (default true) seals copies with the instance's key, or for `recipient` when given;
 * false sends them plain. Secrets are Fernet tokens made with the instance's `.config_key`, like
 * DOCSight's own secrets; they never leave the server (publicTarget says only which are set).
 */
import { z } from 'zod';
import type { ConfigRecord, JsonValue } from '../config/config-schema.ts';
import type { FernetKey } from '../config/fernet.ts';
import {
  entryNameSchema,
  readSecretList,
  secretListPatch,
  type DecryptedEntry,
  type SecretListKind,
  type SecretListProblem,
} from '../config/secret-list.ts';
import { RETENTION_LIMITS, retentionCountSchema } from '../retention/retention-rule.ts';
import { X25519_RECIPIENT } from '../seal/seal-key.ts';
import type { TargetKind } from './backup-target.ts';
import { S3AddressSchema, SftpAddressSchema, WebdavAddressSchema } from './target-address.ts';

/** The config.json key holding the targets. */
export const BACKUP_TARGETS_KEY = 'backup_targets';

export const TARGET_SECRET_NAMES = ['secretAccessKey', 'password', 'privateKey', 'privateKeyPassphrase'] as const;
export type TargetSecretName = (typeof TARGET_SECRET_NAMES)[number];

/** The secrets each kind of target may hold. */
export const TARGET_SECRETS: Readonly<Record<TargetKind, readonly TargetSecretName[]>> = {
  s3: ['secretAccessKey'],
  sftp: ['password', 'privateKey', 'privateKeyPassphrase'],
  webdav: ['password'],
};

export const TARGET_NAME_MAX = 64;
export const KEEP_LAST_MAX = RETENTION_LIMITS.keepLast;
export const KEEP_DAYS_MAX = RETENTION_LIMITS.keepDays;

const SecretValue = z.string({ error: 'A secret must be text.' }).min(1, 'A secret must not be empty.');

export const TargetRetentionSchema = z.strictObject(
  {
    keepLast: retentionCountSchema('keepLast'),
    keepDays: retentionCountSchema('keepDays'),
    daily: retentionCountSchema('daily'),
    weekly: retentionCountSchema('weekly'),
    monthly: retentionCountSchema('monthly'),
    /** Whether copies of backups made by hand (Backup now, a download's backup) fall under the rule; false keeps them. */
    includeManual: z.boolean({ error: 'includeManual must be true or false.' }).optional(),
    /** Whether copies of the backup taken before a restore fall under the rule; false keeps them. */
    includePreRestore: z.boolean({ error: 'includePreRestore must be true or false.' }).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? 'retention holds only keepLast, keepDays, daily, weekly, monthly, includeManual and includePreRestore.'
        : 'retention must be an object.',
  },
);
/**
 * How many copies a target keeps: the newest `keepLast`, those younger than `keepDays`, the newest of
 * each of the last `daily` days, `weekly` ISO weeks and `monthly` months (retention-rule.ts); none = all.
 * Copies of manual backups stay outside the rule unless `includeManual`, copies of pre-restore ones
 * unless `includePreRestore`.
 */
export type TargetRetention = z.infer<typeof TargetRetentionSchema>;

const common = {
  id: z.uuid({ error: 'id must be a UUID.' }),
  name: entryNameSchema(TARGET_NAME_MAX),
  enabled: z.boolean({ error: 'enabled must be true or false.' }),
  /** Copies sealed (the instance's key, or `recipient`); false sends them plain. */
  sealed: z.boolean({ error: 'sealed must be true or false.' }).default(true),
  /** Seal for this age recipient instead of the instance's key. */
  recipient: z.string().regex(X25519_RECIPIENT, 'recipient must be an age X25519 recipient (age1…, 62 characters).').optional(),
  retention: TargetRetentionSchema.default({}),
  createdAt: z.iso.datetime({ offset: true, error: 'createdAt must be an ISO 8601 time.' }),
};

const S3TargetSchema = S3AddressSchema.extend({
  ...common,
  accessKeyId: z.string({ error: 'An S3 target needs accessKeyId.' }).min(1, 'accessKeyId is empty.'),
  secrets: z.strictObject({ secretAccessKey: SecretValue }, { error: 'An S3 target needs secrets.secretAccessKey (and no other secret).' }),
});

const SftpTargetSchema = SftpAddressSchema.extend({
  ...common,
  /** The server's pinned host key, as ssh-keygen -lf prints it; absent until first accepted. */
  hostKeyFingerprint: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'hostKeyFingerprint must be SHA256: and 43 base64 characters, as ssh-keygen -lf prints it.')
    .optional(),
  secrets: z
    .strictObject(
      { password: SecretValue.optional(), privateKey: SecretValue.optional(), privateKeyPassphrase: SecretValue.optional() },
      { error: 'An SFTP target holds only the secrets password, privateKey and privateKeyPassphrase.' },
    )
    .refine(
      (secrets) => secrets.password !== undefined || secrets.privateKey !== undefined,
      'An SFTP target needs a password or a private key.',
    ),
});

const WebdavTargetSchema = WebdavAddressSchema.extend({
  ...common,
  secrets: z.strictObject({ password: SecretValue.optional() }, { error: 'A WebDAV target holds only the secret password.' }).default({}),
});

/**
 * One target as config.json holds it (`secrets` as Fernet tokens) and, with the same shape, as
 * readTargets gives it (`secrets` decrypted).
 */
export const TargetConfigSchema = z
  .discriminatedUnion('kind', [S3TargetSchema, SftpTargetSchema, WebdavTargetSchema], {
    error: 'kind must be "s3", "sftp" or "webdav".',
  })
  .superRefine((target, context) => {
    if (!target.sealed && target.recipient !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['recipient'],
        message: 'A recipient is set but sealed is false: a plain copy has no recipient.',
      });
    }
  });
export type StoredTarget = z.infer<typeof TargetConfigSchema>;

/** A target with its secrets decrypted, as readTargets gives it (`unusable`, `undecryptedSecrets`: secret-list.ts). */
export type TargetConfig = DecryptedEntry<StoredTarget, TargetSecretName>;

/** Something wrong with the stored targets; `index` is the entry's place in the array. */
export type TargetProblem = SecretListProblem;

/** Result of {@link readTargets}. */
export interface TargetsRead {
  /** Every entry with a target's shape, in stored order; one whose secret does not decrypt has `unusable`. */
  targets: TargetConfig[];
  /** What is wrong: unreadable entries, undecryptable secrets, repeated ids or names. */
  problems: TargetProblem[];
  /** Entries that are not a target at all (hand-edited), kept so that targetsPatch writes them back. */
  unreadable: JsonValue[];
}

const SECRET_WORDS: Record<TargetSecretName, string> = {
  secretAccessKey: 'secret access key',
  password: 'password',
  privateKey: 'private key',
  privateKeyPassphrase: 'private key passphrase',
};

/** The targets as a list with write-only secrets (config/secret-list.ts). */
const TARGET_LIST: SecretListKind<StoredTarget, TargetSecretName> = {
  key: BACKUP_TARGETS_KEY,
  noun: 'target',
  schema: TargetConfigSchema,
  unusable: (target, lost) =>
    `The ${lost.map((name) => SECRET_WORDS[name]).join(' and ')} of "${target.name}" cannot be decrypted with this instance's .config_key (it was saved with another key): enter it again.`,
  uniqueIds: true,
};

/**
 * The targets stored in `config`, their secrets decrypted with `configKey` (null when the instance
 * has no `.config_key`: then no secret decrypts). Never throws for what config.json holds and never
 * drops an entry: a target whose secret does not decrypt is kept with `unusable` saying why, an
 * entry that is not a target is kept in `unreadable`.
 */
export function readTargets(config: ConfigRecord, configKey: FernetKey | null): TargetsRead {
  const { entries, problems, unreadable } = readSecretList(config, configKey, TARGET_LIST);
  return { targets: entries, problems, unreadable };
}

/**
 * The config.json patch storing `targets` (for updateConfig): each checked against the schema,
 * ids and names unique (names ignoring case), secrets Fernet-encrypted with `configKey`, a secret
 * that did not decrypt written back as its token unless a new value replaces it, then `unreadable`
 * entries as they were. Throws INVALID_ARGUMENT naming the target and what is wrong.
 */
export function targetsPatch(
  targets: readonly TargetConfig[],
  configKey: FernetKey,
  options: { unreadable?: readonly JsonValue[] } = {},
): Record<string, JsonValue> {
  return secretListPatch(targets, configKey, TARGET_LIST, options);
}

/** Which secrets a target holds, as booleans: what a browser may know about them. */
export const TargetSecretsSetSchema = z.object({
  secretAccessKey: z.boolean(),
  password: z.boolean(),
  privateKey: z.boolean(),
  privateKeyPassphrase: z.boolean(),
});

const PublicFields = { secretsSet: TargetSecretsSetSchema, unusable: z.string().optional() };

/** A target as a browser may see it: every field but the secrets, and which secrets are set. */
export const PublicTargetSchema = z.discriminatedUnion('kind', [
  S3TargetSchema.omit({ secrets: true }).extend(PublicFields),
  SftpTargetSchema.omit({ secrets: true }).extend(PublicFields),
  WebdavTargetSchema.omit({ secrets: true }).extend(PublicFields),
]);
export type PublicTarget = z.infer<typeof PublicTargetSchema>;

/** `target` without any secret (write-only fields): `secretsSet` says which are set and readable. */
export function publicTarget(target: TargetConfig): PublicTarget {
  const { secrets, undecryptedSecrets: _undecrypted, unusable, ...fields } = target;
  const held = secrets as Partial<Record<TargetSecretName, string>>;
  const secretsSet = Object.fromEntries(
    TARGET_SECRET_NAMES.map((name) => [name, typeof held[name] === 'string' && held[name] !== '']),
  ) as PublicTarget['secretsSet'];
  return { ...fields, secretsSet, ...(unusable === undefined ? {} : { unusable }) };
}
