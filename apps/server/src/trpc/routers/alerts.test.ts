/**
 * The alerts router: channels added, listed without secrets, edited (a secret left empty stays),
 * tested against a real receiver on loopback, and removed; bad input refused naming the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startHttpReceiver, type HttpReceiver } from '@evidence-locker/test-servers/http-receiver';
import { createTestContext, createTestServices } from '@evidence-locker/server/testing/test-services';
import { afterEach, describe, expect, it } from 'vitest';
import { createCallerFactory } from '../init.ts';
import { appRouter } from './_app.ts';

const createCaller = createCallerFactory(appRouter);
let receiver: HttpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function api() {
  const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
  const context = createTestContext(setup.services, { clientAddress: '192.0.2.44' });
  receiver = await startHttpReceiver();
  return { setup, context, api: createCaller(context.ctx) };
}

describe('alerts router', () => {
  it('adds a webhook, lists it without its secrets, and keeps a secret the edit leaves empty', async () => {
    const { setup, api: caller, context } = await api();
    const url = `${receiver!.url}/hooks/SECRET-PATH`;
    const added = await caller.alerts.add({ kind: 'webhook', name: 'Hook', enabled: true, secrets: { url, token: 'tok-1' } });
    expect(added).toMatchObject({ kind: 'webhook', name: 'Hook', where: receiver!.url, secretsSet: { url: true, token: true } });
    const listed = await caller.alerts.list();
    expect(JSON.stringify(listed)).not.toContain('SECRET-PATH');
    expect(JSON.stringify(listed)).not.toContain('tok-1');
    const config = fs.readFileSync(path.join(setup.dataDir, 'config.json'), 'utf8');
    expect(config).toContain('alert_channels');
    expect(config).not.toContain('SECRET-PATH');

    await caller.alerts.update({ id: added.id, kind: 'webhook', name: 'Team hook', enabled: true, secrets: { url: '' } });
    await caller.alerts.test({ id: added.id });
    expect(receiver!.requests).toHaveLength(1);
    expect(receiver!.requests[0]).toMatchObject({ method: 'POST', url: '/hooks/SECRET-PATH' });
    expect(receiver!.requests[0]?.headers.authorization).toBe('Bearer tok-1');
    expect(receiver!.requests[0]?.json).toMatchObject({ event: 'test', title: 'Evidence Locker: test message' });
    await setup.services.alertCenter.idle();
    const after = await caller.alerts.list();
    expect(after.channels[0]).toMatchObject({ name: 'Team hook', lastDelivery: { ok: true, event: 'test' } });
    expect(context.logLines.map((line) => (line.fields as { audit?: string }).audit)).toEqual([
      'alert-channel.added',
      'alert-channel.updated',
      'alert-channel.tested',
    ]);
    expect(JSON.stringify(context.logLines)).not.toContain('tok-1');
  });

  it('tests a draft before saving and says exactly what the service answered', async () => {
    const { api: caller } = await api();
    receiver!.answer({ status: 401, body: JSON.stringify({ error: 'invalid token' }) });
    await expect(
      caller.alerts.test({ draft: { kind: 'gotify', name: 'Gotify', enabled: true, server: receiver!.url, secrets: { token: 'bad' } } }),
    ).rejects.toMatchObject({
      cause: { code: 'ALERT_LOGIN_REFUSED', details: { where: receiver!.url, status: 401, reason: 'invalid token' } },
    });
    receiver!.answer({ status: 200, body: '{}' });
    const { elapsedMs } = await caller.alerts.test({
      draft: { kind: 'ntfy', name: 'ntfy', enabled: true, server: receiver!.url, topic: 'locker', secrets: {} },
    });
    expect(elapsedMs).toBeGreaterThanOrEqual(0);
    expect(receiver!.requests[1]?.json).toMatchObject({ topic: 'locker', title: 'Evidence Locker: test message' });
    // Nothing was saved by testing.
    expect((await caller.alerts.list()).channels).toEqual([]);
  });

  it("stores each channel's message language, sends its test in it, and refuses a language it does not have", async () => {
    const { api: caller, setup } = await api();
    const url = `${receiver!.url}/hook`;
    const german = await caller.alerts.add({ kind: 'webhook', name: 'Deutsch', enabled: true, language: 'de', secrets: { url } });
    expect(german.language).toBe('de');
    await caller.alerts.test({ id: german.id });
    expect(receiver!.requests[0]?.json).toMatchObject({ event: 'test', language: 'de', title: 'Evidence Locker: Testnachricht' });
    // An edit that leaves the language out keeps it; the form's draft test uses the draft's.
    await caller.alerts.update({ id: german.id, kind: 'webhook', name: 'Deutsch', enabled: true, secrets: {} });
    expect((await caller.alerts.list()).channels[0]?.language).toBe('de');
    await caller.alerts.test({ id: german.id, draft: { kind: 'webhook', name: 'Deutsch', enabled: true, language: 'en', secrets: {} } });
    expect(receiver!.requests[1]?.json).toMatchObject({ language: 'en', title: 'Evidence Locker: test message' });
    // Without a language, the test follows the language DOCSight saved, and the list says so.
    const older = await caller.alerts.add({ kind: 'webhook', name: 'Older', enabled: true, secrets: { url } });
    expect(older).not.toHaveProperty('language');
    expect((await caller.alerts.list()).channels.find((channel) => channel.id === older.id)?.language).toBe('en');
    await setup.services.instance.updateConfig({ language: 'de' });
    expect((await caller.alerts.list()).channels.find((channel) => channel.id === older.id)?.language).toBe('de');
    await caller.alerts.remove({ id: older.id });
    await caller.alerts.test({ draft: { kind: 'webhook', name: 'Neu', enabled: true, secrets: { url } } });
    expect(receiver!.requests[2]?.json).toMatchObject({ language: 'de' });

    // A language the alerts do not have: INVALID_ARGUMENT naming the field, which the web says in
    // the user's language (alerts.errors.language); nothing is saved.
    for (const language of ['fr', 'DE', 'german']) {
      await expect(caller.alerts.add({ kind: 'webhook', name: 'Hook', enabled: true, language, secrets: { url } })).rejects.toMatchObject({
        cause: { code: 'INVALID_ARGUMENT', details: { field: 'language' } },
      });
    }
    await expect(
      caller.alerts.update({ id: german.id, kind: 'webhook', name: 'Deutsch', enabled: true, language: 'fr', secrets: {} }),
    ).rejects.toMatchObject({
      cause: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('language is "en" (English) or "de" (German)') },
    });
    expect((await caller.alerts.list()).channels.map((channel) => channel.language)).toEqual(['de']);
  });

  it('refuses bad input naming the field, and a removed channel is gone', async () => {
    const { api: caller } = await api();
    await expect(caller.alerts.add({ kind: 'ntfy', name: 'ntfy', enabled: true, topic: 'has space', secrets: {} })).rejects.toMatchObject({
      cause: { code: 'INVALID_ARGUMENT', details: { field: 'topic' } },
    });
    await expect(
      caller.alerts.add({
        kind: 'email',
        name: 'Mail',
        enabled: true,
        host: 'mail.example.org',
        port: 587,
        security: 'starttls',
        from: 'me',
        to: ['a@example.org'],
        secrets: {},
      }),
    ).rejects.toMatchObject({ cause: { code: 'INVALID_ARGUMENT', details: { field: 'from' } } });
    const ping = await caller.alerts.add({ kind: 'ping', name: 'Ping', enabled: true, secrets: { url: `${receiver!.url}/p/1` } });
    await expect(
      caller.alerts.add({ kind: 'ping', name: 'PING', enabled: true, secrets: { url: `${receiver!.url}/p/2` } }),
    ).rejects.toMatchObject({
      cause: { code: 'INVALID_ARGUMENT' },
    });
    await caller.alerts.test({ id: ping.id });
    expect(receiver!.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /p/1']);
    await caller.alerts.remove({ id: ping.id });
    expect((await caller.alerts.list()).channels).toEqual([]);
    await expect(caller.alerts.remove({ id: ping.id })).rejects.toMatchObject({ cause: { code: 'ALERT_CHANNEL_NOT_FOUND' } });
  });
  it('does not send a stored token or password to a new server or mail host: the edit must give it again', async () => {
    const { api: caller } = await api();
    const other = await startHttpReceiver();
    try {
      const gotify = await caller.alerts.add({
        kind: 'gotify',
        name: 'Gotify',
        enabled: true,
        server: receiver!.url,
        secrets: { token: 'app-token' },
      });
      const moved = { kind: 'gotify' as const, name: 'Gotify', enabled: true, server: `${other.url}/`, secrets: {} };
      await expect(caller.alerts.test({ id: gotify.id, draft: moved })).rejects.toMatchObject({
        cause: { code: 'INVALID_ARGUMENT', details: { field: 'secrets.token' } },
      });
      await expect(caller.alerts.update({ id: gotify.id, ...moved })).rejects.toMatchObject({
        cause: { code: 'INVALID_ARGUMENT', details: { field: 'secrets.token' }, message: expect.stringContaining('enter its token again') },
      });
      expect(other.requests).toHaveLength(0);
      // Given again, it goes there; an edit that keeps the server keeps the stored token.
      await caller.alerts.test({ id: gotify.id, draft: { ...moved, secrets: { token: 'new-token' } } });
      expect(other.requests.map((request) => request.headers['x-gotify-key'])).toEqual(['new-token']);
      await caller.alerts.update({ id: gotify.id, kind: 'gotify', name: 'Phone', enabled: true, server: `${receiver!.url}/`, secrets: {} });
      await caller.alerts.test({ id: gotify.id });
      expect(receiver!.requests.map((request) => request.headers['x-gotify-key'])).toEqual(['app-token']);

      const mail = await caller.alerts.add({
        kind: 'email',
        name: 'Mail',
        enabled: true,
        host: 'mail.example.org',
        port: 587,
        security: 'starttls',
        username: 'locker',
        from: 'locker@example.org',
        to: ['me@example.org'],
        secrets: { password: 'mail-pass' },
      });
      const mailDraft = {
        kind: 'email' as const,
        name: 'Mail',
        enabled: true,
        port: 587,
        security: 'starttls' as const,
        username: 'locker',
        from: 'locker@example.org',
        to: ['me@example.org'],
        secrets: {},
      };
      await expect(caller.alerts.update({ id: mail.id, ...mailDraft, host: 'smtp.elsewhere.example' })).rejects.toMatchObject({
        cause: { code: 'INVALID_ARGUMENT', details: { field: 'secrets.password' } },
      });
      await caller.alerts.update({ id: mail.id, ...mailDraft, host: 'MAIL.example.org', port: 465, security: 'tls' });
    } finally {
      await other.close();
    }
  });
});
