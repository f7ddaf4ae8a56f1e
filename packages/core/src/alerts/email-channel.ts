/**
 * E-mail over SMTP with nodemailer: `tls` connects with TLS from the start (port 465), `starttls`
 * requires the upgrade (587) and fails rather than send the password in the clear, `none` sends
 * plain (a relay on the same host or network). One connection per message: alerts are rare.
 */
import nodemailer from 'nodemailer';
import type { AlertChannel } from './alert-channel-config.ts';
import { ALERT_TIMEOUT_MS, alertError, alertNetworkError } from './alert-error.ts';
import type { AlertMessage } from './alert-message.ts';

export async function sendEmail(
  channel: Extract<AlertChannel, { kind: 'email' }>,
  message: AlertMessage,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const where = `${channel.host}:${channel.port}`;
  const timeout = options.timeoutMs ?? ALERT_TIMEOUT_MS;
  const password = channel.secrets.password;
  const transport = nodemailer.createTransport({
    host: channel.host,
    port: channel.port,
    secure: channel.security === 'tls',
    requireTLS: channel.security === 'starttls',
    ignoreTLS: channel.security === 'none',
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    ...(channel.username !== undefined && channel.username !== '' ? { auth: { user: channel.username, pass: password ?? '' } } : {}),
  });
  let info: { rejected?: unknown[]; rejectedErrors?: { response?: string }[] };
  try {
    info = await transport.sendMail({
      from: channel.from,
      to: channel.to,
      subject: message.title,
      text: `${message.text}\n\n— ${message.instance} (Evidence Locker), ${message.at}\n`,
      ...(message.language === undefined ? {} : { headers: { 'Content-Language': message.language } }),
    });
  } catch (error) {
    throw smtpError(error, where);
  } finally {
    transport.close();
  }
  // The server took the message for some recipients only: still a failure to report.
  const rejected = (info.rejected ?? []).map((address) =>
    typeof address === 'string' ? address : String((address as { address?: string }).address),
  );
  if (rejected.length > 0) {
    const answer = info.rejectedErrors?.[0]?.response;
    throw alertError('ALERT_RECIPIENT_REFUSED', where, { reason: `${rejected.join(', ')}${answer === undefined ? '' : ` (${answer})`}` });
  }
}

function smtpError(error: unknown, where: string): Error {
  const { code, response, responseCode } = (error ?? {}) as { code?: unknown; response?: unknown; responseCode?: unknown };
  const reason = typeof response === 'string' && response !== '' ? response : error instanceof Error ? error.message : String(error);
  const status = typeof responseCode === 'number' ? { status: responseCode } : {};
  if (code === 'EAUTH' || code === 'ENOAUTH') return alertError('ALERT_LOGIN_REFUSED', where, { reason, ...status, cause: error });
  if (code === 'ETLS') return alertError('ALERT_TLS_FAILED', where, { reason, cause: error });
  if (code === 'EENVELOPE') return alertError('ALERT_RECIPIENT_REFUSED', where, { reason, ...status, cause: error });
  if (code === 'EMESSAGE' || code === 'EPROTOCOL' || (typeof responseCode === 'number' && responseCode >= 400)) {
    return alertError('ALERT_REJECTED', where, { reason, ...status, cause: error });
  }
  return alertNetworkError(error, where);
}
