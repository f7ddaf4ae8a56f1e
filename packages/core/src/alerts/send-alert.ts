/**
 * Delivers one message to one channel, whatever its kind (one module per kind beside this one).
 * Throws an ALERT_ code naming the service (alert-error.ts). A ping channel gets the message's
 * outcome as a ping: a failure as URL/fail, anything else as URL.
 */
import type { AlertChannel } from './alert-channel-config.ts';
import { sendApprise } from './apprise-channel.ts';
import type { AlertMessage } from './alert-message.ts';
import { sendEmail } from './email-channel.ts';
import { sendGotify } from './gotify-channel.ts';
import { sendNtfy } from './ntfy-channel.ts';
import { sendPing } from './ping-channel.ts';
import { sendWebhook } from './webhook-channel.ts';

/** Sends `message` through `channel`; resolves once the service accepted it. */
export async function sendAlert(channel: AlertChannel, message: AlertMessage): Promise<void> {
  switch (channel.kind) {
    case 'webhook':
      return sendWebhook(channel, message);
    case 'ntfy':
      return sendNtfy(channel, message);
    case 'gotify':
      return sendGotify(channel, message);
    case 'apprise':
      return sendApprise(channel, message);
    case 'email':
      return sendEmail(channel, message);
    case 'ping':
      return sendPing(channel, message.event !== 'failure');
  }
}
