/**
 * A ping URL in the healthchecks.io / Uptime Kuma push style: GET URL after each successful
 * scheduled backup, GET URL/fail after each failed one (healthchecks.io's "fail" endpoint). The
 * outside monitor then notices both a failure and silence, even when this server is down. A test
 * sends the success ping.
 */
import type { AlertChannel } from './alert-channel-config.ts';
import { sendAlertRequest, urlOrigin } from './alert-http.ts';

/** Pings `channel`: its URL for `ok`, URL/fail (before any query) otherwise. */
export async function sendPing(channel: Extract<AlertChannel, { kind: 'ping' }>, ok: boolean): Promise<void> {
  const url = new URL(channel.secrets.url);
  if (!ok) url.pathname = `${url.pathname.replace(/\/+$/, '')}/fail`;
  await sendAlertRequest({ method: 'GET', url: url.toString(), where: urlOrigin(channel.secrets.url) });
}
