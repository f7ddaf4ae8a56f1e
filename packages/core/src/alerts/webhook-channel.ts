/**
 * The generic JSON webhook: POST of alertWebhookBody to the URL, with `Authorization: Bearer TOKEN`
 * when a token is set. Any 2xx answer counts as delivered.
 */
import type { AlertChannel } from './alert-channel-config.ts';
import { sendAlertRequest, urlOrigin } from './alert-http.ts';
import { alertWebhookBody, type AlertMessage } from './alert-message.ts';

export async function sendWebhook(channel: Extract<AlertChannel, { kind: 'webhook' }>, message: AlertMessage): Promise<void> {
  const { url, token } = channel.secrets;
  await sendAlertRequest({
    method: 'POST',
    url,
    where: urlOrigin(url),
    json: alertWebhookBody(message),
    ...(token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } }),
  });
}
