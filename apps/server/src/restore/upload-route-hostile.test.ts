/**
 * The upload route under a hostile or broken client: other content types, bodies that are cut off
 * or malformed, clients that send too slowly. Each must end in a clear answer with nothing left
 * behind: no staged file, no open descriptor, no unobserved promise, and a slot free again.
 */
import fs from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenTestApp } from '@evidence-locker/server/testing/serve-test-app';
import type { UploadStoreOptions } from './upload-store.ts';
import { FIXTURE_A, stagedUploads } from '@evidence-locker/server/testing/restore-support';

const FIXTURE = fs.readFileSync(FIXTURE_A);

/** A listening server on a set-up instance with the given upload store options; its port and data directory. */
async function listen(uploads?: Omit<UploadStoreOptions, 'stagingDir'>): Promise<{ port: number; dataDir: string }> {
  const { port, setup } = await listenTestApp({ config: { modem_type: 'fritzbox' }, uploads });
  return { port, dataDir: setup.dataDir };
}

/** Sends `request` bytes on a raw socket (then `more`, if given, paced by the caller) and collects the answer. */
function rawRequest(port: number, head: string, body: Buffer = Buffer.alloc(0)): { socket: net.Socket; answer: Promise<string> } {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  const answer = new Promise<string>((resolve) => {
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', () => undefined);
  });
  socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  return { socket, answer };
}

function openDescriptors(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

function workFiles(dataDir: string): string[] {
  return fs.readdirSync(dataDir).filter((name) => name.startsWith('.evidence-locker-'));
}

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setImmediate(resolve));
}

function head(port: number, contentType: string | undefined, extra = ''): string {
  return (
    `POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n` +
    (contentType === undefined ? '' : `Content-Type: ${contentType}\r\n`) +
    extra +
    '\r\n'
  );
}

describe('POST /api/uploads against a hostile client', () => {
  it('answers 415 to every other content type before it opens anything, however often it is asked', async () => {
    const { port, dataDir } = await listen();
    const before = openDescriptors();
    for (const type of [
      'text/plain',
      'application/json',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      undefined,
    ]) {
      for (let round = 0; round < 60; round += 1) {
        const body = Buffer.from('{"not":"an archive"}');
        const { answer } = rawRequest(port, head(port, type, `Content-Length: ${body.length}\r\n`), body);
        const text = await answer;
        expect(text.split('\r\n')[0], String(type)).toBe('HTTP/1.1 415 Unsupported Media Type');
        expect(text).toContain('"code":"UPLOAD_TYPE_UNSUPPORTED"');
      }
    }
    expect(workFiles(dataDir)).toEqual([]);
    expect(openDescriptors() - before).toBeLessThan(10);
  });

  it('removes everything of an upload whose client goes away in the middle', async () => {
    const { port, dataDir } = await listen();
    const before = openDescriptors();
    for (let round = 0; round < 20; round += 1) {
      const { socket, answer } = rawRequest(
        port,
        head(port, 'application/octet-stream', `Content-Length: ${FIXTURE.length}\r\n`),
        FIXTURE.subarray(0, Math.floor(FIXTURE.length / 2)),
      );
      await until(() => stagedUploads(dataDir).length > 0 || workFiles(dataDir).length > 0);
      socket.destroy();
      await answer;
    }
    await until(() => workFiles(dataDir).length === 0);
    expect(openDescriptors() - before).toBeLessThan(10);
    // The slots are free again: a whole upload goes through.
    const { answer } = rawRequest(port, head(port, 'application/octet-stream', `Content-Length: ${FIXTURE.length}\r\n`), FIXTURE);
    expect((await answer).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });

  it('removes everything of an upload whose body breaks (malformed chunked encoding)', async () => {
    // A pace that never fires within the test: the broken body alone must end the upload.
    const { port, dataDir } = await listen({ pace: { idleMs: 600_000, windowMs: 600_000, minBytesPerWindow: 1 } });
    const before = openDescriptors();
    const firstChunk = FIXTURE.subarray(0, 4096);
    const { answer } = rawRequest(
      port,
      head(port, 'application/octet-stream', 'Transfer-Encoding: chunked\r\n'),
      Buffer.concat([Buffer.from(`${firstChunk.length.toString(16)}\r\n`), firstChunk, Buffer.from('\r\nzz-not-a-size\r\n')]),
    );
    await answer;
    await until(() => workFiles(dataDir).length === 0);
    expect(openDescriptors() - before).toBeLessThan(10);
  });

  it('drops a client that sends too slowly, removes its files and frees its slot', async () => {
    const { port, dataDir } = await listen({ maxPending: 1, pace: { idleMs: 400, windowMs: 800, minBytesPerWindow: 4096 } });
    const { socket, answer } = rawRequest(port, head(port, 'application/octet-stream', 'Transfer-Encoding: chunked\r\n'));
    // One byte every 100 ms: never idle, far too slow.
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < FIXTURE.length && !socket.destroyed)
        socket.write(`1\r\n${FIXTURE.subarray(sent, sent + 1).toString('latin1')}\r\n`, 'latin1');
      sent += 1;
    }, 100);
    const text = await answer;
    clearInterval(trickle);
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(text).toContain('"code":"UPLOAD_STALLED"');
    await until(() => workFiles(dataDir).length === 0);
    const next = rawRequest(port, head(port, 'application/octet-stream', `Content-Length: ${FIXTURE.length}\r\n`), FIXTURE);
    expect((await next.answer).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });

  it('drops a client that stops sending', async () => {
    const { port, dataDir } = await listen({ pace: { idleMs: 300, windowMs: 60_000, minBytesPerWindow: 1 } });
    const { answer } = rawRequest(
      port,
      head(port, 'application/octet-stream', `Content-Length: ${FIXTURE.length}\r\n`),
      FIXTURE.subarray(0, 1000),
    );
    const text = await answer;
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    await until(() => workFiles(dataDir).length === 0);
  });
});
