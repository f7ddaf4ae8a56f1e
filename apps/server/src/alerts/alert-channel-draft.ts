/**
 * An alert channel as the settings form gives it: its kind, name and fields, and its secrets in
 * plain text (write-only: never answered). Only the kind's own fields are kept; an empty optional
 * field counts as absent. On an edit, a secret the form leaves out or empty keeps its stored value
 * (even one that no longer decrypts, which is written back as its token), unless the edit changes
 * where the channel sends to (its server or mail host): then it must be given again.
 */
import { randomUUID } from 'node:crypto';
import {
  ALERT_CHANNEL_KINDS,
  ALERT_SECRETS,
  checkedAlertChannel,
  LockerError,
  type AlertChannel,
  type AlertSecretName,
} from '@evidence-locker/core';
import { z } from 'zod';

const Secret = z
  .string()
  .max(64 * 1024, { error: 'A secret has at most 64 KiB.' })
  .optional();
const Text = (max: number) => z.string().max(max).optional();

export const AlertChannelDraftSchema = z.object({
  kind: z.enum(ALERT_CHANNEL_KINDS, { error: 'kind must be webhook, ntfy, gotify, apprise, email or ping.' }),
  name: z.string().max(256),
  enabled: z.boolean().default(true),
  /**
   * The language of the channel's messages, 'en' or 'de' (checked with the channel, so a wrong
   * value is INVALID_ARGUMENT naming the field). Left out: as stored, else the instance's language.
   */
  language: Text(16),
  /** ntfy, Gotify, Apprise: the server's address. */
  server: Text(2048),
  /** ntfy. */
  topic: Text(256),
  /** Apprise: a stored configuration's key, and a tag. */
  configKey: Text(256),
  tag: Text(256),
  /** E-mail. */
  host: Text(256),
  port: z.number().optional(),
  security: z.enum(['tls', 'starttls', 'none']).optional(),
  username: Text(256),
  from: Text(320),
  to: z.array(z.string().max(320)).max(50).optional(),
  secrets: z.object({ url: Secret, token: Secret, urls: Secret, password: Secret }).strict().default({}),
});
export type AlertChannelDraft = z.infer<typeof AlertChannelDraftSchema>;

/** Where a channel whose secret is not its address sends to (server, mail host); null for the others. */
function addressOf(channel: AlertChannel): string | null {
  const fields = channel as { server?: unknown; host?: unknown };
  if (channel.kind === 'email') return typeof fields.host === 'string' ? fields.host.toLowerCase() : null;
  if (typeof fields.server !== 'string') return null;
  try {
    return new URL(fields.server).href.replace(/\/+$/, '');
  } catch {
    return fields.server;
  }
}

const SECRET_WORDS: Record<AlertSecretName, string> = { url: 'URL', token: 'token', urls: 'Apprise URLs', password: 'password' };

/** The draft's language, else the stored channel's; absent when neither has one. */
function languageOf(draft: AlertChannelDraft, existing: AlertChannel | undefined): { language?: AlertChannel['language'] } {
  const language = given(draft.language) ?? existing?.language;
  // A wrong value goes on to the check, which refuses it naming the field.
  return language === undefined ? {} : { language: language as AlertChannel['language'] };
}

function given(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/**
 * The channel `draft` describes, over `existing` when it is an edit (id, createdAt and unchanged
 * secrets kept); INVALID_ARGUMENT naming the field (core's checkedAlertChannel).
 */
export function draftAlertChannel(draft: AlertChannelDraft, options: { existing?: AlertChannel; now?: Date } = {}): AlertChannel {
  const { existing } = options;
  const secrets: Partial<Record<AlertSecretName, string>> = {};
  const carried: Partial<Record<AlertSecretName, string>> = {};
  /** The secrets taken over from what is stored. */
  const kept: AlertSecretName[] = [];
  for (const name of ALERT_SECRETS[draft.kind]) {
    const value = draft.secrets[name];
    if (value !== undefined && value !== '') {
      secrets[name] = name === 'url' ? value.trim() : value;
      continue;
    }
    if (existing?.kind !== draft.kind) continue;
    const stored = (existing.secrets as Partial<Record<AlertSecretName, string>>)[name];
    const token = existing.undecryptedSecrets?.[name];
    if (stored !== undefined) secrets[name] = stored;
    else if (token !== undefined) carried[name] = token;
    if (stored !== undefined || token !== undefined) kept.push(name);
  }
  const base = {
    id: existing?.id ?? randomUUID(),
    name: draft.name,
    enabled: draft.enabled,
    createdAt: existing?.createdAt ?? (options.now ?? new Date()).toISOString(),
    ...languageOf(draft, existing),
  };
  let fields: Record<string, unknown>;
  switch (draft.kind) {
    case 'webhook':
    case 'ping':
    case 'gotify':
      fields = draft.kind === 'gotify' ? { server: given(draft.server) } : {};
      break;
    case 'ntfy':
      fields = { server: given(draft.server) ?? 'https://ntfy.sh', topic: given(draft.topic) };
      break;
    case 'apprise':
      fields = { server: given(draft.server), configKey: given(draft.configKey), tag: given(draft.tag) };
      break;
    case 'email':
      fields = {
        host: given(draft.host),
        port: draft.port,
        security: draft.security,
        username: given(draft.username),
        from: given(draft.from),
        to: (draft.to ?? []).map((address) => address.trim()).filter((address) => address !== ''),
      };
      break;
  }
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  const channel = { ...base, kind: draft.kind, ...defined, secrets } as AlertChannel;
  if (Object.keys(carried).length > 0) channel.undecryptedSecrets = carried;
  checkedAlertChannel(channel);
  // A stored secret goes only where it was entered for: an edit (or a Send test of one) that sends
  // to another server or mail host must give it again.
  // (Apprise's URLs are not sent where a stored configuration's key is used instead.)
  const sent = kept.filter((name) => !(name === 'urls' && given(draft.configKey) !== undefined));
  const name = sent[0];
  if (existing !== undefined && name !== undefined && addressOf(channel) !== addressOf(existing)) {
    throw new LockerError(
      'INVALID_ARGUMENT',
      `The alert channel "${channel.name}" would send to ${addressOf(channel) ?? 'another address'} instead of ${addressOf(existing) ?? 'where it did'}: enter its ${SECRET_WORDS[name]} again (a stored ${SECRET_WORDS[name]} is only sent where it was entered).`,
      { details: { id: channel.id, field: `secrets.${name}` } },
    );
  }
  return channel;
}
