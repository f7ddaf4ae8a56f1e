/**
 * Every channel against a real local receiver: an HTTP server on loopback for the webhook, ntfy,
 * Gotify, Apprise API and the ping URL, smtp-server from npm for e-mail. Each test starts its own
 * receiver and stops exactly that one.
 */
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startHttpReceiver, type HttpReceiver } from '@evidence-locker/test-servers/http-receiver';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { LockerError } from '../errors.ts';
import type { AlertChannel } from './alert-channel-config.ts';
import { sendAlertRequest } from './alert-http.ts';
import type { AlertMessage } from './alert-message.ts';
import { sendAlert } from './send-alert.ts';

const base = { id: '6f1c3e1e-9d2a-4c55-9a43-0a5f2c9b1f10', name: 'Phone', enabled: true, createdAt: '2026-12-01T10:00:00Z' };
const failure: AlertMessage = {
  event: 'failure',
  subject: 'scheduled-backup',
  title: 'Evidence Locker: the scheduled backup failed',
  text: 'The scheduled backup failed: the backup directory is not writable. Käse ✓',
  at: '2026-12-05T10:00:00.000Z',
  code: 'WRITE_PERMISSION_DENIED',
  instance: 'Evidence Locker',
};
const recovery: AlertMessage = { ...failure, event: 'recovery', title: 'Evidence Locker: scheduled backups work again', code: undefined };

let receiver: HttpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LockerError);
  return { code: (error as LockerError).code, details: (error as LockerError).details ?? {} };
}

describe('webhook', () => {
  it('posts the JSON message with the bearer token', async () => {
    receiver = await startHttpReceiver();
    await sendAlert({ ...base, kind: 'webhook', secrets: { url: `${receiver.url}/hook/abc?x=1`, token: 's3cret' } }, failure);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hook/abc?x=1');
    expect(request?.headers.authorization).toBe('Bearer s3cret');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.json).toEqual({
      source: 'evidence-locker',
      instance: 'Evidence Locker',
      event: 'failure',
      subject: 'scheduled-backup',
      title: failure.title,
      text: failure.text,
      at: failure.at,
      code: 'WRITE_PERMISSION_DENIED',
    });
  });

  it('says which language the message is written in', async () => {
    receiver = await startHttpReceiver();
    await sendAlert({ ...base, kind: 'webhook', secrets: { url: `${receiver.url}/hook` } }, { ...failure, language: 'de' });
    expect(receiver.requests[0]?.json).toMatchObject({ event: 'failure', language: 'de' });
  });

  it('says the service refused the message, with its status and reason', async () => {
    receiver = await startHttpReceiver();
    receiver.answer({ status: 500, body: JSON.stringify({ error: 'disk full on the receiver' }) });
    const { code, details } = await codeOf(sendAlert({ ...base, kind: 'webhook', secrets: { url: `${receiver.url}/hook` } }, failure));
    expect(code).toBe('ALERT_REJECTED');
    expect(details).toMatchObject({ status: 500, reason: 'disk full on the receiver', where: receiver.url });
  });

  it('tells a refused token from other refusals', async () => {
    receiver = await startHttpReceiver();
    receiver.answer({ status: 401, body: 'unauthorized' });
    const { code } = await codeOf(
      sendAlert({ ...base, kind: 'webhook', secrets: { url: `${receiver.url}/hook`, token: 'wrong' } }, failure),
    );
    expect(code).toBe('ALERT_LOGIN_REFUSED');
  });

  it('does not follow a redirect (the token would travel on)', async () => {
    receiver = await startHttpReceiver();
    receiver.answer({ status: 302, headers: { location: 'http://elsewhere.example/x' } });
    const { code, details } = await codeOf(sendAlert({ ...base, kind: 'webhook', secrets: { url: `${receiver.url}/hook` } }, failure));
    expect(code).toBe('ALERT_REJECTED');
    expect(String(details.reason)).toContain('http://elsewhere.example');
    expect(receiver.requests).toHaveLength(1);
  });

  it('says a closed port is unreachable, without the URL path in the message', async () => {
    receiver = await startHttpReceiver();
    const url = `${receiver.url}/secret-path-token`;
    await receiver.close();
    receiver = undefined;
    const error = await sendAlert({ ...base, kind: 'webhook', secrets: { url } }, failure).catch((caught: unknown) => caught);
    expect((error as LockerError).code).toBe('ALERT_UNREACHABLE');
    expect((error as LockerError).message).not.toContain('secret-path-token');
  });

  it('gives up on a service that accepts but never answers (ALERT_TIMEOUT)', async () => {
    const sockets = new Set<Socket>();
    const silent: TcpServer = createTcpServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const { code } = await codeOf(
        sendAlertRequest({ method: 'POST', url: `http://127.0.0.1:${port}/`, where: 'x', json: {}, timeoutMs: 300 }),
      );
      expect(code).toBe('ALERT_TIMEOUT');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('ntfy', () => {
  it('publishes JSON to the server root with the topic, a high priority for a failure, and the token', async () => {
    receiver = await startHttpReceiver();
    await sendAlert({ ...base, kind: 'ntfy', server: `${receiver.url}/`, topic: 'backups_1', secrets: { token: 'tk_abc' } }, failure);
    await sendAlert({ ...base, kind: 'ntfy', server: receiver.url, topic: 'backups_1', secrets: {} }, recovery);
    const [first, second] = receiver.requests;
    expect(first).toMatchObject({ method: 'POST', url: '/' });
    expect(first?.headers.authorization).toBe('Bearer tk_abc');
    expect(first?.json).toEqual({ topic: 'backups_1', title: failure.title, message: failure.text, priority: 4, tags: ['warning'] });
    expect(second?.headers.authorization).toBeUndefined();
    expect(second?.json).toMatchObject({ priority: 3, tags: ['white_check_mark'] });
  });
});

describe('Gotify', () => {
  it('posts /message with the app token in X-Gotify-Key', async () => {
    receiver = await startHttpReceiver();
    await sendAlert({ ...base, kind: 'gotify', server: `${receiver.url}/gotify`, secrets: { token: 'AbCdEf' } }, failure);
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/gotify/message' });
    expect(request?.headers['x-gotify-key']).toBe('AbCdEf');
    expect(request?.json).toEqual({ title: failure.title, message: failure.text, priority: 8 });
  });
});

describe('Apprise API', () => {
  it('notifies a stored configuration by key, with its tag', async () => {
    receiver = await startHttpReceiver();
    await sendAlert({ ...base, kind: 'apprise', server: receiver.url, configKey: 'locker', tag: 'admins', secrets: {} }, recovery);
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', url: '/notify/locker' });
    expect(receiver.requests[0]?.json).toEqual({ title: recovery.title, body: recovery.text, type: 'success', tag: 'admins' });
  });

  it('sends its own Apprise URLs to the stateless endpoint', async () => {
    receiver = await startHttpReceiver();
    await sendAlert({ ...base, kind: 'apprise', server: receiver.url, secrets: { urls: 'mailto://u:p@example.org' } }, failure);
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', url: '/notify' });
    expect(receiver.requests[0]?.json).toEqual({
      title: failure.title,
      body: failure.text,
      type: 'failure',
      urls: 'mailto://u:p@example.org',
    });
  });
});

describe('ping URL', () => {
  it('GETs the URL on success and URL/fail on failure, keeping the query', async () => {
    receiver = await startHttpReceiver();
    const channel: AlertChannel = { ...base, kind: 'ping', secrets: { url: `${receiver.url}/ping/3f2a-uuid?rid=1` } };
    await sendAlert(channel, recovery);
    await sendAlert(channel, failure);
    expect(receiver.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /ping/3f2a-uuid?rid=1',
      'GET /ping/3f2a-uuid/fail?rid=1',
    ]);
  });
});

describe('Uptime Kuma push URL', () => {
  it('sends status=up on success and status=down on failure (Kuma has no /fail)', async () => {
    receiver = await startHttpReceiver();
    const channel: AlertChannel = { ...base, kind: 'ping', secrets: { url: `${receiver.url}/api/push/Xy12?status=up&msg=OK&ping=` } };
    await sendAlert(channel, recovery);
    await sendAlert(channel, failure);
    expect(receiver.requests.map((request) => request.url)).toEqual([
      '/api/push/Xy12?status=up&msg=OK&ping=',
      '/api/push/Xy12?status=down&msg=Scheduled+backup+failed&ping=',
    ]);
  });
});

describe('e-mail over SMTP', () => {
  interface Mail {
    from: string;
    to: string[];
    data: string;
    user: string | undefined;
  }

  async function startSmtp(
    options: { password?: string; refuse?: string } = {},
  ): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
    const mails: Mail[] = [];
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: options.password === undefined,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.password === options.password) callback(null, { user: auth.username });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo(address, _session, callback) {
        if (address.address === options.refuse) callback(Object.assign(new Error('No such mailbox here'), { responseCode: 550 }));
        else callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            data: Buffer.concat(chunks).toString('utf8'),
            user: session.user as string | undefined,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  const email = (port: number, extra: Partial<Extract<AlertChannel, { kind: 'email' }>> = {}): AlertChannel => ({
    ...base,
    kind: 'email',
    host: '127.0.0.1',
    port,
    security: 'none',
    from: 'locker@example.org',
    to: ['admin@example.org', 'second@example.org'],
    secrets: {},
    ...extra,
  });

  it('delivers the message to every recipient, logging in with the password', async () => {
    const smtp = await startSmtp({ password: 'mail-pass' });
    try {
      await sendAlert(email(smtp.port, { username: 'locker', secrets: { password: 'mail-pass' } }), failure);
      expect(smtp.mails).toHaveLength(1);
      const [mail] = smtp.mails;
      expect(mail?.from).toBe('locker@example.org');
      expect(mail?.to).toEqual(['admin@example.org', 'second@example.org']);
      expect(mail?.user).toBe('locker');
      expect(mail?.data).toContain('Subject: Evidence Locker: the scheduled backup failed');
      expect(mail?.data).toContain('backup directory is not writable');
    } finally {
      await smtp.close();
    }
  });

  it('marks a German message as German (Content-Language) and keeps its words intact', async () => {
    const smtp = await startSmtp();
    try {
      const german: AlertMessage = {
        ...failure,
        title: 'Evidence Locker: Die geplante Sicherung ist fehlgeschlagen',
        text: 'Die geplante Sicherung ist am 05.12.2026, 10:00 UTC fehlgeschlagen.',
        language: 'de',
      };
      await sendAlert(email(smtp.port), german);
      const data = smtp.mails[0]?.data ?? '';
      expect(data).toMatch(/^Content-Language: de\r?$/m);
      expect(data).toContain('Subject: Evidence Locker: Die geplante Sicherung ist fehlgeschlagen');
      expect(data).toContain('Die geplante Sicherung ist am 05.12.2026, 10:00 UTC fehlgeschlagen.');
      await sendAlert(email(smtp.port), failure);
      expect(smtp.mails[1]?.data).not.toContain('Content-Language');
    } finally {
      await smtp.close();
    }
  });

  it('says the login was refused for a wrong password', async () => {
    const smtp = await startSmtp({ password: 'mail-pass' });
    try {
      const { code } = await codeOf(sendAlert(email(smtp.port, { username: 'locker', secrets: { password: 'nope' } }), failure));
      expect(code).toBe('ALERT_LOGIN_REFUSED');
      expect(smtp.mails).toHaveLength(0);
    } finally {
      await smtp.close();
    }
  });

  it('says which recipient the server refused', async () => {
    const smtp = await startSmtp({ refuse: 'second@example.org' });
    try {
      const { code, details } = await codeOf(sendAlert(email(smtp.port), failure));
      expect(code).toBe('ALERT_RECIPIENT_REFUSED');
      expect(String(details.reason)).toContain('second@example.org');
    } finally {
      await smtp.close();
    }
  });

  it('refuses to send the password in the clear when STARTTLS is required but not offered', async () => {
    const smtp = await startSmtp({ password: 'mail-pass' });
    try {
      const { code } = await codeOf(
        sendAlert(email(smtp.port, { security: 'starttls', username: 'u', secrets: { password: 'mail-pass' } }), failure),
      );
      expect(code).toBe('ALERT_TLS_FAILED');
      expect(smtp.mails).toHaveLength(0);
    } finally {
      await smtp.close();
    }
  });
});
