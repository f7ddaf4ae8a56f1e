/**
 * The alert center writes each channel's messages in its language, against real webhook receivers
 * on loopback: a German channel, an English one, and one stored before channels had a language
 * (it follows the language DOCSight saved in config.json). A message a channel still owes is sent
 * again in its language; the outbox of an older server (English only) still delivers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startHttpReceiver, type HttpReceiver } from '@evidence-locker/test-servers/http-receiver';
import { TestClock } from '@evidence-locker/server/testing/test-clock';
import { createTestServices } from '@evidence-locker/server/testing/test-services';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertCenter } from './alert-center.ts';
import { draftAlertChannel } from './alert-channel-draft.ts';
import { ALERTS_STATE_FILE } from './alert-state.ts';
import { changeAlertChannels } from './instance-alert-channels.ts';

const MINUTE = 60_000;
const receivers: HttpReceiver[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function receiver(): Promise<HttpReceiver> {
  const started = await startHttpReceiver();
  receivers.push(started);
  return started;
}

interface Posted {
  event: string;
  title: string;
  text: string;
  language?: string;
  code?: string;
}
const posted = (hook: HttpReceiver) => hook.requests.map((request) => request.json as Posted);

/** An instance whose config.json says `language`, with webhooks in German, English and none given. */
async function instance(language: string | undefined) {
  const setup = await createTestServices({ config: { modem_type: 'fritzbox', ...(language === undefined ? {} : { language }) } });
  const [de, en, unset] = [await receiver(), await receiver(), await receiver()];
  await changeAlertChannels(setup.services.instance, (channels) => ({
    channels: [
      ...channels,
      draftAlertChannel({ kind: 'webhook', name: 'Deutsch', enabled: true, language: 'de', secrets: { url: `${de.url}/de` } }),
      draftAlertChannel({ kind: 'webhook', name: 'English', enabled: true, language: 'en', secrets: { url: `${en.url}/en` } }),
      draftAlertChannel({ kind: 'webhook', name: 'Older', enabled: true, secrets: { url: `${unset.url}/older` } }),
    ],
    answer: undefined,
  }));
  return { setup, de, en, unset };
}

const at = Date.parse('2026-12-05T14:03:00Z');
const failure = { code: 'DIRECTORY_NOT_FOUND', message: '/mnt/nas does not exist.', at };

describe('alert languages', () => {
  it("sends each channel the failure and the recovery in its language; one without follows DOCSight's language", async () => {
    const { setup, de, en, unset } = await instance('de');
    const center = setup.services.alertCenter;
    center.failed({ kind: 'scheduled-backup' }, failure);
    center.failed({ kind: 'scheduled-backup' }, { ...failure, at: at + MINUTE });
    center.succeeded({ kind: 'scheduled-backup' }, { at: at + 5 * MINUTE, fileName: 'docsight_backup.tar.gz' });
    await center.idle();

    expect(posted(de)).toEqual([
      expect.objectContaining({
        event: 'failure',
        language: 'de',
        code: 'DIRECTORY_NOT_FOUND',
        title: 'Evidence Locker: Die geplante Sicherung ist fehlgeschlagen',
        text: expect.stringContaining('am 05.12.2026, 14:03 UTC fehlgeschlagen. Fehler DIRECTORY_NOT_FOUND: /mnt/nas does not exist.'),
      }),
      expect.objectContaining({
        event: 'recovery',
        language: 'de',
        title: 'Evidence Locker: Geplante Sicherungen gelingen wieder',
        text: 'Die geplante Sicherung docsight_backup.tar.gz ist am 05.12.2026, 14:08 UTC gelungen; seit 05.12.2026, 14:03 UTC war sie fehlgeschlagen.',
      }),
    ]);
    expect(posted(en)).toEqual([
      expect.objectContaining({ event: 'failure', language: 'en', title: 'Evidence Locker: the scheduled backup failed' }),
      expect.objectContaining({ event: 'recovery', language: 'en', title: 'Evidence Locker: scheduled backups work again' }),
    ]);
    expect(posted(en)[0]?.text).toContain('failed at 2026-12-05 14:03 UTC: /mnt/nas does not exist. (DIRECTORY_NOT_FOUND)');
    // Stored without a language: config.json says "de".
    expect(posted(unset).map((message) => [message.language, message.title])).toEqual(
      posted(de).map((message) => [message.language, message.title]),
    );
  });

  it('writes a channel without a language in English when DOCSight runs in a language the alerts lack', async () => {
    const { setup, unset } = await instance('fr');
    setup.services.alertCenter.failed({ kind: 'verification' }, { ...failure, fileName: 'b.tar.gz' });
    await setup.services.alertCenter.idle();
    expect(posted(unset)).toEqual([
      expect.objectContaining({ language: 'en', title: 'Evidence Locker: a new backup failed its verification' }),
    ]);
  });

  it('sends a message a channel was owed again in its language, also after the channel switched language', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const hook = await receiver();
    hook.answer({ status: 503, body: 'maintenance' });
    const clock = new TestClock(at);
    const center = new AlertCenter({ instance: setup.services.instance, clock });
    const channel = draftAlertChannel({ kind: 'webhook', name: 'Hook', enabled: true, language: 'en', secrets: { url: `${hook.url}/h` } });
    await changeAlertChannels(setup.services.instance, (channels) => ({ channels: [...channels, channel], answer: undefined }));
    center.failed({ kind: 'target', id: 't1', name: 'NAS' }, failure);
    await center.idle();
    expect(posted(hook).map((message) => message.language)).toEqual(['en']);

    // Switched to German while the message was owed: the retry says it in German.
    await changeAlertChannels(setup.services.instance, (channels) => ({
      channels: channels.map((stored) =>
        draftAlertChannel({ kind: 'webhook', name: 'Hook', enabled: true, language: 'de', secrets: {} }, { existing: stored }),
      ),
      answer: undefined,
    }));
    hook.answer({ status: 200, body: '{}' });
    clock.advance(MINUTE);
    await center.idle();
    expect(posted(hook).map((message) => [message.language, message.title])).toEqual([
      ['en', 'Evidence Locker: copies to "NAS" fail'],
      ['de', 'Evidence Locker: Kopien nach „NAS“ schlagen fehl'],
    ]);
    await center.close();
  });

  it('still delivers what an older server left in the outbox (English only) to a German channel', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox', language: 'de' } });
    const hook = await receiver();
    const channel = draftAlertChannel({ kind: 'webhook', name: 'Hook', enabled: true, secrets: { url: `${hook.url}/h` } });
    await changeAlertChannels(setup.services.instance, (channels) => ({ channels: [...channels, channel], answer: undefined }));
    const message = {
      event: 'failure',
      subject: 'scheduled-backup',
      title: 'Evidence Locker: the scheduled backup failed',
      text: 'The scheduled backup failed.',
      at: new Date(at).toISOString(),
      instance: 'Evidence Locker',
    };
    const state = { failing: {}, deliveries: {}, outbox: [{ message, channels: [channel.id], attempts: 1, nextAt: at }] };
    fs.writeFileSync(path.join(setup.dataDir, ALERTS_STATE_FILE), JSON.stringify(state));
    const center = new AlertCenter({ instance: setup.services.instance, clock: new TestClock(at) });
    center.start();
    await center.idle();
    expect(posted(hook)).toEqual([expect.objectContaining({ title: 'Evidence Locker: the scheduled backup failed' })]);
    expect(posted(hook)[0]).not.toHaveProperty('language');
    await center.close();
  });
});
