import { describe, expect, it } from 'vitest';
import { generateFernetKey, parseFernetKey } from '../config/fernet.ts';
import { LockerError } from '../errors.ts';
import {
  ALERT_CHANNELS_KEY,
  alertChannelsPatch,
  publicAlertChannel,
  readAlertChannels,
  type AlertChannel,
} from './alert-channel-config.ts';

const key = parseFernetKey(generateFernetKey());
const other = parseFernetKey(generateFernetKey());
const base = { id: '6f1c3e1e-9d2a-4c55-9a43-0a5f2c9b1f10', name: 'Phone', enabled: true, createdAt: '2026-12-01T10:00:00Z' };
const webhook: AlertChannel = { ...base, kind: 'webhook', secrets: { url: 'https://hooks.example.org/T0K3N', token: 'bearer-1' } };

describe('alert channels in config.json', () => {
  it('stores secrets encrypted and reads them back in plain text', () => {
    const patch = alertChannelsPatch([webhook], key);
    const stored = JSON.stringify(patch);
    expect(stored).not.toContain('T0K3N');
    expect(stored).not.toContain('bearer-1');
    const read = readAlertChannels(patch, key);
    expect(read.problems).toEqual([]);
    expect(read.channels[0]?.secrets).toEqual(webhook.secrets);
  });

  it('never shows a secret to the browser, only which are set and the address without its path', () => {
    const shown = publicAlertChannel(webhook);
    expect(JSON.stringify(shown)).not.toContain('T0K3N');
    expect(shown.where).toBe('https://hooks.example.org');
    expect(shown.secretsSet).toEqual({ url: true, token: true, urls: false, password: false });
  });

  it('keeps a channel whose secret no longer decrypts, marked unusable, and writes its token back', () => {
    const patch = alertChannelsPatch([webhook], key);
    const read = readAlertChannels(patch, other);
    expect(read.channels[0]?.unusable).toContain('cannot be decrypted');
    const again = alertChannelsPatch(read.channels, other);
    expect(readAlertChannels(again, key).channels[0]?.secrets).toEqual(webhook.secrets);
  });

  it('keeps entries that are not channels as they are', () => {
    const config = { [ALERT_CHANNELS_KEY]: [{ kind: 'pigeon' }] };
    const read = readAlertChannels(config, key);
    expect(read.channels).toEqual([]);
    expect(read.problems[0]?.message).toContain('not readable');
    expect(alertChannelsPatch(read.channels, key, { unreadable: read.unreadable })).toEqual(config);
  });

  it.each([
    [{ ...base, kind: 'ntfy', server: 'ftp://x', topic: 'a', secrets: {} }, 'server', 'http:// or https://'],
    [{ ...base, kind: 'ntfy', topic: 'no spaces', secrets: {} }, 'topic', 'letters, digits'],
    [
      { ...base, kind: 'email', host: 'mail.example.org', port: 587, security: 'starttls', from: 'x', to: ['a@example.org'], secrets: {} },
      'from',
      'e-mail address',
    ],
    [
      { ...base, kind: 'email', host: 'mail.example.org', port: 587, security: 'starttls', from: 'a@example.org', to: [], secrets: {} },
      'to',
      'at least one',
    ],
    [{ ...base, kind: 'apprise', server: 'http://apprise:8000', secrets: {} }, 'configKey', 'either a configuration key or Apprise URLs'],
    [{ ...base, name: ' Phone', kind: 'ping', secrets: { url: 'https://hc-ping.com/x' } }, 'name', 'begins or ends with a space'],
  ])('refuses a bad %#: names the field %s', (channel, field, words) => {
    let error: unknown;
    try {
      alertChannelsPatch([channel as AlertChannel], key);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LockerError);
    expect((error as LockerError).code).toBe('INVALID_ARGUMENT');
    expect((error as LockerError).details?.field).toBe(field);
    expect((error as LockerError).message).toContain(words);
  });

  it("keeps a channel's message language, reads one stored without it as it was, and refuses another", () => {
    const read = readAlertChannels(alertChannelsPatch([{ ...webhook, language: 'de' }], key), key);
    expect(read.channels[0]?.language).toBe('de');
    expect(publicAlertChannel(read.channels[0]!).language).toBe('de');
    expect(readAlertChannels(alertChannelsPatch([webhook], key), key).channels[0]).not.toHaveProperty('language');
    let error: unknown;
    try {
      alertChannelsPatch([{ ...webhook, language: 'fr' as 'de' }], key);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'language' } });
    expect((error as LockerError).message).toContain('language is "en" (English) or "de" (German)');
  });

  it('refuses two channels with the same name', () => {
    expect(() => alertChannelsPatch([webhook, { ...webhook, id: '7f1c3e1e-9d2a-4c55-9a43-0a5f2c9b1f10', name: 'PHONE' }], key)).toThrow(
      'already named',
    );
  });
});
