/**
 * A ping URL in the healthchecks.io / Uptime Kuma push style: GET URL after each successful
 * scheduled backup, GET URL/fail after each failed one (healthchecks.io's "fail" endpoint). An
 * Uptime Kuma push URL (`…/api/push/TOKEN?status=up…`) has no such endpoint: its failure ping is
 * the same URL with `status=down`. The outside monitor then notices both a failure and silence,
 * even when this server is down. A test sends the success ping.
 */
import type { AlertChannel } from './alert-channel-config.ts';
import { sendAlertRequest, urlOrigin } from './alert-http.ts';

/** Pings `channel`: its URL for `ok`, URL/fail (before any query) otherwise. */
export async function sendPing(channel: Extract<AlertChannel, { kind: 'ping' }>, ok: boolean): Promise<void> {
  const url = new URL(channel.secrets.url);
  const kuma = /\/api\/push\/[^/]+\/?$/.test(url.pathname);
  if (kuma) {
    url.searchParams.set('status', ok ? 'up' : 'down');
    url.searchParams.set('msg', ok ? 'OK' : 'Scheduled backup failed');
  } else if (!ok) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/fail`;
  }
  await sendAlertRequest({ method: 'GET', url: url.toString(), where: urlOrigin(channel.secrets.url) });
}
