/**
 * The alert channel editor's form: one flat set of fields for every kind (only the kind's own are
 * shown and sent), checked here first so a mistake is named in the user's language before the
 * server is asked (the server checks again). Secrets are write-only: a stored one shows as set,
 * and left empty it stays as stored.
 */
import { codeText, serverFailure } from '../../api/error-message.ts';
import type { RouterInputs, RouterOutputs } from '../../api/server-types.ts';
import { i18n } from '../../i18n/i18n.ts';

export type AlertList = RouterOutputs['alerts']['list'];
export type AlertChannelItem = AlertList['channels'][number];
export type AlertChannelDraft = RouterInputs['alerts']['add'];
export type AlertChannelKind = AlertChannelDraft['kind'];

export const ALERT_KINDS: readonly AlertChannelKind[] = ['webhook', 'ntfy', 'gotify', 'apprise', 'email', 'ping'];

/** The languages a channel's messages can be written in (the server's alert-words-*.ts). */
export const ALERT_LANGUAGES = ['en', 'de'] as const;
export type AlertLanguage = (typeof ALERT_LANGUAGES)[number];

function isAlertLanguage(value: unknown): value is AlertLanguage {
  return (ALERT_LANGUAGES as readonly unknown[]).includes(value);
}

/** The page's language as a message language (English for any the alerts lack). */
export function pageAlertLanguage(): AlertLanguage {
  const locale = i18n.global.locale.value;
  return isAlertLanguage(locale) ? locale : 'en';
}

export interface AlertChannelForm {
  kind: AlertChannelKind;
  name: string;
  enabled: boolean;
  /** The language of the messages (default: the page's language). */
  language: AlertLanguage;
  url: string;
  token: string;
  server: string;
  topic: string;
  configKey: string;
  tag: string;
  urls: string;
  host: string;
  port: string;
  security: 'tls' | 'starttls' | 'none';
  username: string;
  password: string;
  from: string;
  /** Recipients, separated by commas, spaces or lines. */
  to: string;
}

export type AlertFormField = Exclude<keyof AlertChannelForm, 'kind' | 'enabled' | 'security'>;
/** Per field, the i18n key of what is wrong. */
export type AlertFormErrors = Partial<Record<AlertFormField, string>>;
export type AlertSecretsSet = AlertChannelItem['secretsSet'];

export function emptyAlertForm(kind: AlertChannelKind = 'webhook', language: AlertLanguage = pageAlertLanguage()): AlertChannelForm {
  return {
    kind,
    name: '',
    enabled: true,
    language,
    url: '',
    token: '',
    server: kind === 'ntfy' ? 'https://ntfy.sh' : '',
    topic: '',
    configKey: '',
    tag: '',
    urls: '',
    host: '',
    port: '587',
    security: 'starttls',
    username: '',
    password: '',
    from: '',
    to: '',
  };
}

/** The form for a stored channel (secrets empty: left so, they stay). */
export function formFromChannel(channel: AlertChannelItem): AlertChannelForm {
  // The server lists the language the messages go out in, also for a channel stored without one.
  const form = emptyAlertForm(channel.kind, isAlertLanguage(channel.language) ? channel.language : undefined);
  form.name = channel.name;
  form.enabled = channel.enabled;
  if (channel.kind === 'ntfy') Object.assign(form, { server: channel.server, topic: channel.topic });
  if (channel.kind === 'gotify') form.server = channel.server;
  if (channel.kind === 'apprise')
    Object.assign(form, { server: channel.server, configKey: channel.configKey ?? '', tag: channel.tag ?? '' });
  if (channel.kind === 'email') {
    Object.assign(form, {
      host: channel.host,
      port: String(channel.port),
      security: channel.security,
      username: channel.username ?? '',
      from: channel.from,
      to: channel.to.join(', '),
    });
  }
  return form;
}

/** The recipients typed, one address each. */
export function recipients(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((address) => address.trim())
    .filter((address) => address !== '');
}

const HTTP_URL = /^https?:\/\/[^\s/]+/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;
const KEY = /^[-_A-Za-z0-9]{1,128}$/;

function isHttpUrl(value: string): boolean {
  if (!HTTP_URL.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with `form` (i18n keys under alerts.errors); empty when nothing is. */
export function validateAlertForm(
  form: AlertChannelForm,
  secretsSet: AlertSecretsSet | null,
  stored: AlertChannelItem | null = null,
): AlertFormErrors {
  const errors: AlertFormErrors = {};
  const name = form.name;
  if (name.trim() === '') errors.name = 'alerts.errors.nameEmpty';
  else if (name.trim() !== name) errors.name = 'alerts.errors.nameSpaces';
  else if ([...name].length > 64) errors.name = 'alerts.errors.nameLong';
  const set = (secret: keyof AlertSecretsSet) => secretsSet?.[secret] === true;
  const url = (field: 'url' | 'server', required: boolean) => {
    const value = form[field].trim();
    if (value === '') {
      if (required) errors[field] = field === 'url' ? 'alerts.errors.urlMissing' : 'alerts.errors.serverMissing';
    } else if (!isHttpUrl(value)) errors[field] = 'alerts.errors.urlInvalid';
  };
  switch (form.kind) {
    case 'webhook':
    case 'ping':
      url('url', !set('url'));
      break;
    case 'ntfy':
      url('server', false);
      if (!TOPIC.test(form.topic.trim())) errors.topic = 'alerts.errors.topic';
      break;
    case 'gotify':
      url('server', true);
      if (form.token === '' && !set('token')) errors.token = 'alerts.errors.tokenMissing';
      break;
    case 'apprise': {
      url('server', true);
      const key = form.configKey.trim();
      const hasUrls = form.urls.trim() !== '' || set('urls');
      if (key !== '' && !KEY.test(key)) errors.configKey = 'alerts.errors.configKey';
      else if (key === '' && !hasUrls) errors.configKey = 'alerts.errors.appriseNeither';
      else if (key !== '' && form.urls.trim() !== '') errors.configKey = 'alerts.errors.appriseBoth';
      break;
    }
    case 'email': {
      if (form.host.trim() === '') errors.host = 'alerts.errors.hostMissing';
      else if (!/^[^\s/:@]+$|^\[[0-9a-fA-F:.]+\]$/.test(form.host.trim())) errors.host = 'alerts.errors.host';
      const port = Number(form.port);
      if (!/^\d+$/.test(form.port.trim()) || port < 1 || port > 65535) errors.port = 'alerts.errors.port';
      if (!EMAIL.test(form.from.trim())) errors.from = 'alerts.errors.from';
      const to = recipients(form.to);
      if (to.length === 0) errors.to = 'alerts.errors.toMissing';
      else if (to.length > 10) errors.to = 'alerts.errors.toMany';
      else if (!to.every((address) => EMAIL.test(address))) errors.to = 'alerts.errors.to';
      break;
    }
  }
  // A stored secret goes only where it was entered for (the server checks too): sending to another
  // server or mail host needs it again.
  const secret = movedSecret(form, stored);
  if (secret !== null && errors[secret] === undefined) errors[secret] = 'alerts.errors.secretAgain';
  return errors;
}

/** The stored secret an edit would send to another server or mail host, left empty; null when none. */
function movedSecret(form: AlertChannelForm, stored: AlertChannelItem | null): 'token' | 'urls' | 'password' | null {
  if (stored === null || stored.kind !== form.kind) return null;
  const address = (value: string) => value.trim().replace(/\/+$/, '').toLowerCase();
  switch (stored.kind) {
    case 'ntfy':
    case 'gotify': {
      const server = form.server.trim() === '' && stored.kind === 'ntfy' ? 'https://ntfy.sh' : form.server;
      return stored.secretsSet.token && form.token === '' && address(server) !== address(stored.server) ? 'token' : null;
    }
    case 'apprise':
      return stored.secretsSet.urls &&
        form.urls.trim() === '' &&
        form.configKey.trim() === '' &&
        address(form.server) !== address(stored.server)
        ? 'urls'
        : null;
    case 'email':
      return stored.secretsSet.password && form.password === '' && address(form.host) !== address(stored.host) ? 'password' : null;
    default:
      return null;
  }
}

/** The draft the server takes for `form` (only the kind's fields; empty secrets stay as stored). */
export function alertDraft(form: AlertChannelForm): AlertChannelDraft {
  const base = { kind: form.kind, name: form.name, enabled: form.enabled, language: form.language };
  const secret = (value: string) => (value === '' ? undefined : value);
  switch (form.kind) {
    case 'webhook':
      return { ...base, secrets: { url: secret(form.url.trim()), token: secret(form.token) } };
    case 'ping': {
      // A ping has no words to write: it keeps no language.
      const { language: _language, ...ping } = base;
      return { ...ping, secrets: { url: secret(form.url.trim()) } };
    }
    case 'ntfy':
      return { ...base, server: form.server.trim(), topic: form.topic.trim(), secrets: { token: secret(form.token) } };
    case 'gotify':
      return { ...base, server: form.server.trim(), secrets: { token: secret(form.token) } };
    case 'apprise':
      return {
        ...base,
        server: form.server.trim(),
        configKey: form.configKey.trim(),
        tag: form.tag.trim(),
        secrets: { urls: secret(form.urls.trim()) },
      };
    case 'email':
      return {
        ...base,
        host: form.host.trim(),
        port: Number(form.port),
        security: form.security,
        username: form.username.trim(),
        from: form.from.trim(),
        to: recipients(form.to),
        secrets: { password: secret(form.password) },
      };
  }
}

/**
 * The field errors a refused save names (INVALID_ARGUMENT with `details.field`), for the fields
 * the form cannot check itself; empty for any other failure (it is shown as the save's error).
 */
export function serverFieldErrors(error: unknown): AlertFormErrors {
  const failure = serverFailure(error);
  if (failure?.code === 'INVALID_ARGUMENT' && failure.details.field === 'language') return { language: 'alerts.errors.language' };
  return {};
}

/**
 * What a recorded failure (a failure state, a delivery that failed) says, in the user's language
 * from its code and the facts it kept; the server's English message when the catalogs lack it.
 */
export function recordedFailureText(record: {
  code?: string | undefined;
  message?: string | undefined;
  details?: Record<string, string | number> | undefined;
}): string {
  const text = record.code === undefined ? undefined : codeText(record.code, record.details ?? {});
  return text ?? record.message ?? '';
}
