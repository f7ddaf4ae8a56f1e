/**
 * ntfy (https://docs.ntfy.sh/publish/#publish-as-json): POST of a JSON message to the server's
 * root, naming the topic in the body, so titles may hold any character (headers may not). A
 * failure goes out with priority 4 (high) and a warning tag, a recovery with 3 and a check mark.
 * An access token goes as `Authorization: Bearer`.
 */
import type { AlertChannel } from './alert-channel-config.ts';
import { sendAlertRequest, urlOrigin } from './alert-http.ts';
import type { AlertMessage } from './alert-message.ts';

export async function sendNtfy(channel: Extract<AlertChannel, { kind: 'ntfy' }>, message: AlertMessage): Promise<void> {
  const token = channel.secrets.token;
  await sendAlertRequest({
    method: 'POST',
    url: channel.server.replace(/\/+$/, '') + '/',
    where: urlOrigin(channel.server),
    json: {
      topic: channel.topic,
      title: message.title,
      message: message.text,
      priority: message.event === 'failure' ? 4 : 3,
      tags: [message.event === 'failure' ? 'warning' : message.event === 'recovery' ? 'white_check_mark' : 'bell'],
    },
    ...(token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } }),
  });
}
