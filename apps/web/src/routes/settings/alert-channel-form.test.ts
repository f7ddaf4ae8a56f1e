import { describe, expect, it } from 'vitest';
import { alertDraft, emptyAlertForm, recipients, validateAlertForm, type AlertChannelForm } from './alert-channel-form.ts';

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
