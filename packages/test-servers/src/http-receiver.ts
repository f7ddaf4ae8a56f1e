/**
 * A real HTTP server on 127.0.0.1 that records every request (method, path with query, headers,
 * body): the receiving end of webhooks, ntfy, Gotify, Apprise API and ping URLs in tests. The
 * port is the kernel's choice (listen on 0), so parallel tests never collide.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** `body` parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** What to answer; default 200 with `{}`. */
export type ReceiverAnswer = { status: number; body?: string; headers?: Record<string, string> };

export interface HttpReceiver {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Sets the answer for the requests that follow (a function decides per request). */
  answer(answer: ReceiverAnswer | ((request: ReceivedRequest) => ReceiverAnswer)): void;
  /** Resolves once `count` requests arrived (at most `timeoutMs`, default 10 s, else rejects). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Starts a receiver; close() stops it (and only it). */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  let decide: (request: ReceivedRequest) => ReceiverAnswer = () => ({ status: 200, body: '{}' });
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const received: ReceivedRequest = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body, json };
      requests.push(received);
      const answer = decide(received);
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body ?? '');
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    answer(answer) {
      decide = typeof answer === 'function' ? answer : () => answer;
    },
    waitFor(count, timeoutMs = 10_000) {
      if (requests.length >= count) return Promise.resolve(requests.slice(0, count));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`The receiver got ${requests.length} of ${count} requests within ${timeoutMs} ms.`));
        }, timeoutMs);
        const check = (): void => {
          if (requests.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(requests.slice(0, count));
        };
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
