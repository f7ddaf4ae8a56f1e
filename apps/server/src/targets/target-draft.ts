/**
 * A target as a form gives it (settings' add/edit/test, the setup wizard's "From offsite storage"):
 * its address (core's TargetAddress; an S3 address also carries its access key id), its secrets
 * in plain text (write-only: never answered), the SFTP host key the user accepted, and what the
 * stored target says besides (name, enabled, sealed, recipient, retention). Core's newTarget turns
 * it into a stored target; targetsPatch encrypts the secrets with the instance's `.config_key`.
 */
import {
  newTarget,
  S3AddressSchema,
  SftpAddressSchema,
  TargetRetentionSchema,
  WebdavAddressSchema,
  type TargetConfig,
  type TargetConnection,
} from '@evidence-locker/core';
import { z } from 'zod';

const Secret = z
  .string()
  .max(64 * 1024, { error: 'A secret has at most 64 KiB.' })
  .optional();

/** The address with what goes with it that is not a secret (S3's access key id). */
export const TargetDraftAddressSchema = z.discriminatedUnion(
  'kind',
  [
    S3AddressSchema.extend({
      accessKeyId: z.string({ error: 'An S3 target needs an access key id.' }).min(1, { error: 'The access key id is empty.' }).max(256),
    }),
    SftpAddressSchema,
    WebdavAddressSchema,
  ],
  { error: 'kind must be "s3", "sftp" or "webdav".' },
);

export const TargetDraftSchema = z.object({
  /** 1 to 64 characters, unique among the instance's targets. The wizard may leave it out (a name is made from the address). */
  name: z.string().max(256).optional(),
  enabled: z.boolean().default(true),
  sealed: z.boolean().default(true),
  recipient: z.string().max(256).nullable().optional(),
  retention: TargetRetentionSchema.default({}),
  address: TargetDraftAddressSchema,
  secrets: z.object({ secretAccessKey: Secret, password: Secret, privateKey: Secret, privateKeyPassphrase: Secret }).strict().default({}),
  /** SFTP: the host key the user accepted (`SHA256:…`, from TARGET_HOST_KEY_UNKNOWN's details.fingerprint). */
  hostKeyFingerprint: z.string().max(128).nullable().optional(),
});
export type TargetDraft = z.infer<typeof TargetDraftSchema>;

/** The address and credentials of `draft`, for core's openTarget. */
export function draftConnection(draft: TargetDraft): TargetConnection {
  const { secretAccessKey, password, privateKey, privateKeyPassphrase } = draft.secrets;
  const secrets = Object.fromEntries(
    Object.entries({ secretAccessKey, password, privateKey, privateKeyPassphrase }).filter(
      ([, value]) => value !== undefined && value !== '',
    ),
  );
  const fingerprint = draft.hostKeyFingerprint;
  return {
    ...draft.address,
    ...secrets,
    ...(draft.address.kind === 'sftp' && fingerprint !== undefined && fingerprint !== null && fingerprint !== ''
      ? { hostKeyFingerprint: fingerprint }
      : {}),
  };
}

/** A name for a target the user did not name: its kind and where it is (at most 64 characters). */
export function draftDefaultName(draft: TargetDraft): string {
  const { address } = draft;
  let where: string;
  if (address.kind === 's3') where = address.bucket;
  else if (address.kind === 'sftp') where = address.host;
  else where = URL.canParse(address.url) ? new URL(address.url).host : address.url;
  const label = { s3: 'S3', sftp: 'SFTP', webdav: 'WebDAV' }[address.kind];
  return `${label} ${where}`.slice(0, 64).trim();
}

/** The stored target for `draft` (secrets still plain; targetsPatch encrypts them). INVALID_ARGUMENT naming the field. */
export function draftTarget(draft: TargetDraft, options: { name?: string; id?: string; now?: Date } = {}): TargetConfig {
  return newTarget(draftConnection(draft), {
    name: options.name ?? draft.name ?? draftDefaultName(draft),
    enabled: draft.enabled,
    sealed: draft.sealed,
    ...(draft.recipient === undefined || draft.recipient === null || draft.recipient === '' ? {} : { recipient: draft.recipient }),
    retention: draft.retention,
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}
