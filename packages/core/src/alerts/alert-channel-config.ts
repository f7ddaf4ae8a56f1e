/**
 * Alert channels as config.json stores them: key `alert_channels`, a JSON array with one object
 * per channel. The key is this product's own; DOCSight keeps keys it does not know as they are.
 *
 *   { "id": uuid, "name": "Phone", "kind": "webhook" | "ntfy" | "gotify" | "apprise" | "email" | "ping",
 *     "enabled": true, "createdAt": ISO 8601, "language"?: "en" | "de",
 *     ...the kind's fields (ntfy: server, topic; gotify: server; apprise: server, configKey?, tag?;
 *        email: host, port, security, username?, from, to),
 *     "secrets": { "url" | "token" | "urls" | "password": Fernet token } }
 *
 * Secrets are Fernet tokens made with the instance's `.config_key`, like the targets' secrets
 * (targets/target-config.ts); they never leave the server (publicAlertChannel says only which are
 * set). The webhook's and the ping URL's address is a secret as a whole: such URLs carry their token
 * in the path (a healthchecks.io check's UUID, a chat service's webhook key).
 */
import { z } from 'zod';
import type { ConfigRecord, JsonValue } from '../config/config-schema.ts';
import type { FernetKey } from '../config/fernet.ts';
import {
  entryNameSchema,
  readSecretList,
  secretListIssue,
  secretListPatch,
  type DecryptedEntry,
  type SecretListKind,
  type SecretListProblem,
} from '../config/secret-list.ts';
import { LockerError } from '../errors.ts';
import { urlOrigin } from './alert-http.ts';

/** The config.json key holding the alert channels. */
export const ALERT_CHANNELS_KEY = 'alert_channels';

export const ALERT_CHANNEL_KINDS = ['webhook', 'ntfy', 'gotify', 'apprise', 'email', 'ping'] as const;
export type AlertChannelKind = (typeof ALERT_CHANNEL_KINDS)[number];

export const ALERT_SECRET_NAMES = ['url', 'token', 'urls', 'password'] as const;
export type AlertSecretName = (typeof ALERT_SECRET_NAMES)[number];

/** The secrets each kind of channel may hold. */
export const ALERT_SECRETS: Readonly<Record<AlertChannelKind, readonly AlertSecretName[]>> = {
  webhook: ['url', 'token'],
  ntfy: ['token'],
  gotify: ['token'],
  apprise: ['urls'],
  email: ['password'],
  ping: ['url'],
};

/** The languages an alert channel's messages can be written in. */
export const ALERT_LANGUAGES = ['en', 'de'] as const;
export type AlertLanguage = (typeof ALERT_LANGUAGES)[number];

export const ALERT_CHANNEL_NAME_MAX = 64;
/** An e-mail channel sends to at most this many addresses. */
export const ALERT_EMAIL_RECIPIENTS_MAX = 10;

const HttpUrl = (what: string) =>
  z
    .string({ error: `${what} must be text.` })
    .max(2048, `${what} is longer than 2048 characters.`)
    .refine((value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol), {
      message: `${what} must be an http:// or https:// address.`,
    });

const Secret = z
  .string({ error: 'A secret must be text.' })
  .min(1, 'A secret must not be empty.')
  .max(64 * 1024, 'A secret has at most 64 KiB.');
const EmailAddress = (what: string) => z.email({ error: `${what} must be an e-mail address (name@example.org).` });

const common = {
  id: z.uuid({ error: 'id must be a UUID.' }),
  name: entryNameSchema(ALERT_CHANNEL_NAME_MAX),
  enabled: z.boolean({ error: 'enabled must be true or false.' }),
  createdAt: z.iso.datetime({ offset: true, error: 'createdAt must be an ISO 8601 time.' }),
  /**
   * The language of the channel's messages. Absent on channels stored before it existed: then
   * the language DOCSight saves in config.json (`language`), English when that is not one of these.
   */
  language: z.enum(ALERT_LANGUAGES, { error: 'language is "en" (English) or "de" (German).' }).optional(),
};

/**
 * The channel schemas; with `plain`, a URL held as a secret must be an http(s) address (a stored
 * one is a Fernet token, checked before it was encrypted).
 */
function channelSchemas(plain: boolean) {
  const secretUrl = (what: string) => (plain ? HttpUrl(what) : Secret);
  const WebhookChannelSchema = z.object({
    ...common,
    kind: z.literal('webhook'),
    secrets: z.strictObject({ url: secretUrl('The webhook URL'), token: Secret.optional() }, { error: 'A webhook needs secrets.url.' }),
  });

  const NtfyChannelSchema = z.object({
    ...common,
    kind: z.literal('ntfy'),
    /** The ntfy server; default https://ntfy.sh. */
    server: HttpUrl('The ntfy server').default('https://ntfy.sh'),
    topic: z
      .string({ error: 'An ntfy channel needs a topic.' })
      .regex(/^[-_A-Za-z0-9]{1,64}$/, 'The topic has 1 to 64 letters, digits, - and _.'),
    secrets: z.strictObject({ token: Secret.optional() }, { error: 'An ntfy channel holds only the secret token.' }).default({}),
  });

  const GotifyChannelSchema = z.object({
    ...common,
    kind: z.literal('gotify'),
    server: HttpUrl('The Gotify server'),
    secrets: z.strictObject({ token: Secret }, { error: "A Gotify channel needs secrets.token (the application's token)." }),
  });

  const AppriseChannelSchema = z.object({
    ...common,
    kind: z.literal('apprise'),
    /** The Apprise API server. */
    server: HttpUrl('The Apprise API server'),
    /** A configuration stored on the server (POST /notify/KEY); otherwise `secrets.urls` (POST /notify). */
    configKey: z
      .string()
      .regex(/^[-_A-Za-z0-9]{1,128}$/, 'The configuration key has 1 to 128 letters, digits, - and _.')
      .optional(),
    /** Only the stored configuration's URLs with this tag. */
    tag: z.string().max(128, 'The tag is longer than 128 characters.').optional(),
    secrets: z.strictObject({ urls: Secret.optional() }, { error: 'An Apprise channel holds only the secret urls.' }).default({}),
  });

  const EmailChannelSchema = z.object({
    ...common,
    kind: z.literal('email'),
    host: z
      .string({ error: 'The mail server needs a host name.' })
      .min(1, 'The mail server host is empty.')
      .max(253, 'The mail server host is longer than 253 characters.')
      .regex(/^[^\s/:@]+$|^\[[0-9a-fA-F:.]+\]$/, 'The mail server host is a host name or an address, without a scheme or port.'),
    port: z.int({ error: 'The port must be a whole number.' }).min(1, 'The port is 1 to 65535.').max(65535, 'The port is 1 to 65535.'),
    /** tls: TLS from the start (port 465); starttls: upgrade required (587); none: plain (a local relay). */
    security: z.enum(['tls', 'starttls', 'none'], { error: 'security is "tls", "starttls" or "none".' }),
    username: z.string().max(256, 'The user name is longer than 256 characters.').optional(),
    from: EmailAddress('The sender'),
    to: z
      .array(EmailAddress('Each recipient'), { error: 'to must be a list of e-mail addresses.' })
      .min(1, 'Give at least one recipient.')
      .max(ALERT_EMAIL_RECIPIENTS_MAX, `At most ${ALERT_EMAIL_RECIPIENTS_MAX} recipients.`),
    secrets: z.strictObject({ password: Secret.optional() }, { error: 'An e-mail channel holds only the secret password.' }).default({}),
  });

  const PingChannelSchema = z.object({
    ...common,
    kind: z.literal('ping'),
    secrets: z.strictObject({ url: secretUrl('The ping URL') }, { error: 'A ping channel needs secrets.url.' }),
  });
  const union = z
    .discriminatedUnion(
      'kind',
      [WebhookChannelSchema, NtfyChannelSchema, GotifyChannelSchema, AppriseChannelSchema, EmailChannelSchema, PingChannelSchema],
      { error: 'kind must be "webhook", "ntfy", "gotify", "apprise", "email" or "ping".' },
    )
    .superRefine((channel, context) => {
      if (channel.kind === 'apprise' && (channel.configKey === undefined) === (channel.secrets.urls === undefined)) {
        context.addIssue({
          code: 'custom',
          path: ['configKey'],
          message: 'An Apprise channel needs either a configuration key or Apprise URLs (one of them, not both).',
        });
      }
    });
  return {
    union,
    kinds: [
      WebhookChannelSchema,
      NtfyChannelSchema,
      GotifyChannelSchema,
      AppriseChannelSchema,
      EmailChannelSchema,
      PingChannelSchema,
    ] as const,
  };
}

const stored = channelSchemas(false);
/** One channel as config.json holds it (secrets as Fernet tokens) and, with the same shape, decrypted. */
export const AlertChannelConfigSchema = stored.union;
/** A channel with its secrets in plain text, as it is checked before saving. */
const AlertChannelPlainSchema = channelSchemas(true).union;

export type StoredAlertChannel = z.infer<typeof AlertChannelConfigSchema>;

/** A channel with its secrets decrypted (`unusable`, `undecryptedSecrets`: config/secret-list.ts). */
export type AlertChannel = DecryptedEntry<StoredAlertChannel, AlertSecretName>;

/** Result of {@link readAlertChannels}. */
export interface AlertChannelsRead {
  channels: AlertChannel[];
  /** What is wrong: unreadable entries, undecryptable secrets. */
  problems: SecretListProblem[];
  /** Entries that are not a channel (hand-edited), kept so that alertChannelsPatch writes them back. */
  unreadable: JsonValue[];
}

/** The channels as a list with write-only secrets (config/secret-list.ts). */
const ALERT_CHANNEL_LIST: SecretListKind<StoredAlertChannel, AlertSecretName> = {
  key: ALERT_CHANNELS_KEY,
  noun: 'alert channel',
  schema: AlertChannelConfigSchema,
  unusable: (channel) =>
    `The secrets of "${channel.name}" cannot be decrypted with this instance's .config_key (they were saved with another key): enter them again.`,
  check: (channel) => checkedAlertChannel(channel),
  uniqueIds: false,
};

/**
 * The channels stored in `config`, secrets decrypted with `configKey`. Never throws and never
 * drops an entry: one whose secret does not decrypt has `unusable`; one that is no channel is kept
 * in `unreadable`.
 */
export function readAlertChannels(config: ConfigRecord, configKey: FernetKey | null): AlertChannelsRead {
  const { entries, problems, unreadable } = readSecretList(config, configKey, ALERT_CHANNEL_LIST);
  return { channels: entries, problems, unreadable };
}

/**
 * The config.json patch storing `channels` (for updateConfig): each checked against the schema,
 * names unique (ignoring case), secrets Fernet-encrypted, secrets that did not decrypt written back
 * as their tokens, then `unreadable` entries as they were. INVALID_ARGUMENT naming what is wrong.
 */
export function alertChannelsPatch(
  channels: readonly AlertChannel[],
  configKey: FernetKey,
  options: { unreadable?: readonly JsonValue[] } = {},
): Record<string, JsonValue> {
  return secretListPatch(channels, configKey, ALERT_CHANNEL_LIST, options);
}

/**
 * `channel` checked against the schema, its secrets in plain text (one that did not decrypt counts
 * as set); INVALID_ARGUMENT with `details.field` naming the first field that is wrong.
 */
export function checkedAlertChannel(channel: AlertChannel): StoredAlertChannel {
  const { unusable: _unusable, undecryptedSecrets, ...fields } = channel;
  const kept = Object.keys(undecryptedSecrets ?? {});
  // A secret kept as its token stands in as a placeholder while the rest is checked.
  const secrets = {
    ...Object.fromEntries(kept.map((name) => [name, name === 'url' ? 'https://kept.invalid/' : 'kept'])),
    ...fields.secrets,
  };
  const parsed = AlertChannelPlainSchema.safeParse({ ...fields, secrets });
  if (!parsed.success) {
    const label = typeof channel.name === 'string' && channel.name !== '' ? `The alert channel "${channel.name}"` : 'The alert channel';
    const issue = parsed.error.issues[0];
    throw new LockerError('INVALID_ARGUMENT', `${label} cannot be saved: ${secretListIssue(parsed.error)}`, {
      details: { id: channel.id, field: issue?.path.join('.') ?? '' },
    });
  }
  return { ...parsed.data, secrets: fields.secrets } as StoredAlertChannel;
}

/** Which secrets a channel holds, as booleans: what a browser may know about them. */
export const AlertSecretsSetSchema = z.object({ url: z.boolean(), token: z.boolean(), urls: z.boolean(), password: z.boolean() });

const Public = { secretsSet: AlertSecretsSetSchema, where: z.string(), unusable: z.string().optional() };

/** A channel as a browser may see it: every field but the secrets, which are set, and where it sends to. */
const [Webhook, Ntfy, Gotify, Apprise, Email, Ping] = stored.kinds;
export const PublicAlertChannelSchema = z.discriminatedUnion('kind', [
  Webhook.omit({ secrets: true }).extend(Public),
  Ntfy.omit({ secrets: true }).extend(Public),
  Gotify.omit({ secrets: true }).extend(Public),
  Apprise.omit({ secrets: true }).extend(Public),
  Email.omit({ secrets: true }).extend(Public),
  Ping.omit({ secrets: true }).extend(Public),
]);
export type PublicAlertChannel = z.infer<typeof PublicAlertChannelSchema>;

/** `channel` without its secrets; `where` names the service without any secret part. */
export function publicAlertChannel(channel: AlertChannel): PublicAlertChannel {
  const { secrets, undecryptedSecrets, unusable, ...fields } = channel;
  const held = secrets as Partial<Record<AlertSecretName, string>>;
  const secretsSet = Object.fromEntries(
    ALERT_SECRET_NAMES.map((name) => [
      name,
      (typeof held[name] === 'string' && held[name] !== '') || undecryptedSecrets?.[name] !== undefined,
    ]),
  ) as PublicAlertChannel['secretsSet'];
  return {
    ...fields,
    secretsSet,
    where: alertChannelWhere(channel),
    ...(unusable === undefined ? {} : { unusable }),
  };
}

/** Where `channel` sends to, without secrets: for messages, logs and the settings list. */
export function alertChannelWhere(channel: AlertChannel): string {
  switch (channel.kind) {
    case 'webhook':
    case 'ping':
      return channel.secrets.url === undefined ? 'an address that is not readable' : urlOrigin(channel.secrets.url);
    case 'ntfy':
      return `${urlOrigin(channel.server)}/${channel.topic}`;
    case 'gotify':
      return urlOrigin(channel.server);
    case 'apprise':
      return channel.configKey === undefined ? urlOrigin(channel.server) : `${urlOrigin(channel.server)}/notify/${channel.configKey}`;
    case 'email':
      return channel.to.join(', ');
  }
}
