/**
 * Gotify (https://gotify.net/docs/pushmsg): POST /message with the application's token in the
 * `X-Gotify-Key` header (never in the URL, where proxies log it). Failures go out with priority 8,
 * the rest with 5.
 */
import type { AlertChannel } from './alert-channel-config.ts';
import { sendAlertRequest, urlOrigin } from './alert-http.ts';
import type { AlertMessage } from './alert-message.ts';

export async function sendGotify(channel: Extract<AlertChannel, { kind: 'gotify' }>, message: AlertMessage): Promise<void> {
  await sendAlertRequest({
    method: 'POST',
    url: `${channel.server.replace(/\/+$/, '')}/message`,
    where: urlOrigin(channel.server),
    headers: { 'X-Gotify-Key': channel.secrets.token },
    json: { title: message.title, message: message.text, priority: message.event === 'failure' ? 8 : 5 },
  });
}
