import { afterEach, describe, expect, it } from 'vitest';
import { i18n, setLocale } from '../../i18n/i18n.ts';
import {
  alertDraft,
  emptyAlertForm,
  formFromChannel,
  pageAlertLanguage,
  recipients,
  recordedFailureText,
  serverFieldErrors,
  validateAlertForm,
  type AlertChannelForm,
  type AlertChannelItem,
} from './alert-channel-form.ts';

const unset = { url: false, token: false, urls: false, password: false };

function form(overrides: Partial<AlertChannelForm>): AlertChannelForm {
  return { ...emptyAlertForm(overrides.kind), name: 'Phone', ...overrides };
}

describe('alert channel form', () => {
  it('names each wrong field with its own text', () => {
    expect(validateAlertForm(form({ kind: 'webhook', name: '' }), null)).toEqual({
      name: 'alerts.errors.nameEmpty',
      url: 'alerts.errors.urlMissing',
    });
    expect(validateAlertForm(form({ kind: 'webhook', name: ' x', url: 'ftp://x' }), null)).toEqual({
      name: 'alerts.errors.nameSpaces',
      url: 'alerts.errors.urlInvalid',
    });
    expect(validateAlertForm(form({ kind: 'ntfy', topic: 'a b' }), null)).toEqual({ topic: 'alerts.errors.topic' });
    expect(validateAlertForm(form({ kind: 'gotify', server: 'https://gotify.lan' }), null)).toEqual({
      token: 'alerts.errors.tokenMissing',
    });
    expect(validateAlertForm(form({ kind: 'apprise', server: 'http://apprise:8000' }), null)).toEqual({
      configKey: 'alerts.errors.appriseNeither',
    });
    expect(validateAlertForm(form({ kind: 'apprise', server: 'http://apprise:8000', configKey: 'k', urls: 'mailto://x' }), null)).toEqual({
      configKey: 'alerts.errors.appriseBoth',
    });
    expect(validateAlertForm(form({ kind: 'email', host: 'smtp://mail', port: '0', from: 'me', to: 'a@example.org, b' }), null)).toEqual({
      host: 'alerts.errors.host',
      port: 'alerts.errors.port',
      from: 'alerts.errors.from',
      to: 'alerts.errors.to',
    });
  });

  it('lets a stored secret stand when its field is left empty', () => {
    expect(validateAlertForm(form({ kind: 'webhook' }), { ...unset, url: true })).toEqual({});
    expect(validateAlertForm(form({ kind: 'gotify', server: 'https://gotify.lan' }), { ...unset, token: true })).toEqual({});
  });

  it('sends only the kind fields, and no empty secret', () => {
    expect(alertDraft(form({ kind: 'ping', url: ' https://hc-ping.com/abc ', server: 'ignored' }))).toEqual({
      kind: 'ping',
      name: 'Phone',
      enabled: true,
      secrets: { url: 'https://hc-ping.com/abc' },
    });
    const email = alertDraft(
      form({ kind: 'email', host: 'mail.lan', port: '465', security: 'tls', from: 'a@b.org', to: 'x@y.org;\nz@y.org' }),
    );
    expect(email).toMatchObject({ port: 465, to: ['x@y.org', 'z@y.org'], secrets: { password: undefined } });
    expect(recipients(' a@b.org ,, c@d.org ')).toEqual(['a@b.org', 'c@d.org']);
  });
});

describe('the language of the messages', () => {
  afterEach(() => setLocale('en'));
  const channel = {
    id: '5c1c3c39-2b8a-4e55-9a0f-3e8c8f1f5a11',
    kind: 'webhook',
    name: 'Hook',
    enabled: true,
    createdAt: '2026-12-01T10:00:00.000Z',
    secretsSet: { ...unset, url: true },
    where: 'https://hooks.example.org',
    lastDelivery: null,
  } as AlertChannelItem;

  it("starts a new channel in the page's language and keeps a stored channel's", () => {
    expect(emptyAlertForm().language).toBe('en');
    setLocale('de');
    expect(emptyAlertForm().language).toBe('de');
    expect(emptyAlertForm('email').language).toBe('de');
    expect(pageAlertLanguage()).toBe('de');
    const stored: AlertChannelItem = { ...channel, language: 'en' };
    expect(formFromChannel(stored).language).toBe('en');
    setLocale('en');
    expect(formFromChannel({ ...channel, language: 'de' }).language).toBe('de');
  });

  it('sends the language with every kind but the ping, which writes no words', () => {
    expect(alertDraft(form({ kind: 'webhook', url: 'https://x.org/h', language: 'de' }))).toMatchObject({ language: 'de' });
    expect(alertDraft(form({ kind: 'email', language: 'en' }))).toMatchObject({ kind: 'email', language: 'en' });
    expect(alertDraft(form({ kind: 'ping', url: 'https://hc-ping.com/a', language: 'de' }))).not.toHaveProperty('language');
  });

  it("names the language field when the server refuses its value, in the user's language", () => {
    const refused = {
      message: 'language is "en" (English) or "de" (German).',
      data: { lockerCode: 'INVALID_ARGUMENT', details: { field: 'language' } },
    };
    const errors = serverFieldErrors(refused);
    expect(errors).toEqual({ language: 'alerts.errors.language' });
    setLocale('de');
    expect(i18n.global.t(errors.language!)).toBe('Die Nachrichten können nur auf Englisch oder Deutsch geschrieben werden.');
    // Another field or failure is the save's own error, not the language's.
    expect(serverFieldErrors({ data: { lockerCode: 'INVALID_ARGUMENT', details: { field: 'topic' } } })).toEqual({});
    expect(serverFieldErrors(new Error('network'))).toEqual({});
  });
});

describe('recorded failures', () => {
  afterEach(() => setLocale('en'));

  it("say a failure state and a failed delivery in the user's language, naming the facts they kept", () => {
    setLocale('de');
    const stale = {
      code: 'BACKUP_STALE',
      message: 'The newest successful scheduled backup is from …',
      details: { hours: 40, intervalHours: 24 },
    };
    expect(recordedFailureText(stale)).toBe(
      'Seit 40 Stunden ist keine geplante Sicherung gelungen, und der Zeitplan läuft alle 24 Stunden. Prüfe den Sicherungszeitplan: Eine geplante Sicherung schlägt vielleicht fehl, oder der Zeitplan ist stehen geblieben.',
    );
    const rejected = {
      code: 'ALERT_REJECTED',
      message: 'ntfy.example.org refused the message (answer 503): maintenance',
      details: { where: 'ntfy.example.org', status: 503, reason: 'maintenance' },
    };
    expect(recordedFailureText(rejected)).toBe('ntfy.example.org hat die Nachricht abgelehnt (Antwort 503): maintenance');
    setLocale('en');
    expect(recordedFailureText(stale)).toMatch(/^No scheduled backup has succeeded for 40 hours, and the schedule runs every 24 hours\./);
  });

  it("fall back to the server's message when a fact is missing or there is no code", () => {
    expect(recordedFailureText({ code: 'ALERT_REJECTED', message: 'Refused (503).' })).toBe('Refused (503).');
    expect(recordedFailureText({ message: 'Something.' })).toBe('Something.');
  });
});

describe('an edit that sends somewhere else', () => {
  const gotify = {
    id: '5c1c3c39-2b8a-4e55-9a0f-3e8c8f1f5a11',
    kind: 'gotify',
    name: 'Phone',
    enabled: true,
    createdAt: '2026-12-01T10:00:00.000Z',
    server: 'https://gotify.example.org',
    secretsSet: { ...unset, token: true },
    where: 'gotify.example.org',
    lastDelivery: null,
  } as AlertChannelItem;

  it('asks for the stored token again when the server changes, not when it stays', () => {
    const moved = form({ kind: 'gotify', server: 'https://gotify.elsewhere.example' });
    expect(validateAlertForm(moved, gotify.secretsSet, gotify)).toEqual({ token: 'alerts.errors.secretAgain' });
    expect(validateAlertForm({ ...moved, token: 'new' }, gotify.secretsSet, gotify)).toEqual({});
    expect(validateAlertForm(form({ kind: 'gotify', server: 'https://gotify.example.org/' }), gotify.secretsSet, gotify)).toEqual({});
  });

  it('asks for the stored password again when the mail host changes', () => {
    const mail = {
      ...gotify,
      kind: 'email',
      host: 'mail.example.org',
      port: 587,
      security: 'starttls',
      from: 'locker@example.org',
      to: ['me@example.org'],
      secretsSet: { ...unset, password: true },
    } as unknown as AlertChannelItem;
    const edit = form({ kind: 'email', host: 'smtp.elsewhere.example', port: '587', from: 'locker@example.org', to: 'me@example.org' });
    expect(validateAlertForm(edit, mail.secretsSet, mail)).toEqual({ password: 'alerts.errors.secretAgain' });
    expect(validateAlertForm({ ...edit, host: 'MAIL.example.org' }, mail.secretsSet, mail)).toEqual({});
  });
});
