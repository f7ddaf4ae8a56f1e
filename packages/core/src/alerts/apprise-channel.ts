/**
 * An Apprise API server (https://github.com/caronc/apprise-api): with a configuration key, POST
 * /notify/KEY (the URLs are stored on that server; `tag` picks some of them); otherwise POST
 * /notify with the Apprise URLs, which this instance keeps as a secret. `type` is Apprise's
 * failure, success or info.
 */
import type { AlertChannel } from './alert-channel-config.ts';
import { sendAlertRequest, urlOrigin } from './alert-http.ts';
import type { AlertMessage } from './alert-message.ts';

export async function sendApprise(channel: Extract<AlertChannel, { kind: 'apprise' }>, message: AlertMessage): Promise<void> {
  const base = channel.server.replace(/\/+$/, '');
  const stateful = channel.configKey !== undefined;
  const type = message.event === 'failure' ? 'failure' : message.event === 'recovery' ? 'success' : 'info';
  await sendAlertRequest({
    method: 'POST',
    url: stateful ? `${base}/notify/${encodeURIComponent(channel.configKey!)}` : `${base}/notify`,
    where: urlOrigin(channel.server),
    json: {
      title: message.title,
      body: message.text,
      type,
      ...(stateful ? {} : { urls: channel.secrets.urls }),
      ...(stateful && channel.tag !== undefined && channel.tag !== '' ? { tag: channel.tag } : {}),
    },
  });
}
