/**
 * The built server (`locker serve`) as a child process on a free port, and the few HTTP calls the
 * crash trials make: /api/health, tRPC queries and mutations (plain HTTP, as bench/server.bench.mjs
 * does), and the raw upload route.
 */
import fs from 'node:fs';
import http from 'node:http';
import { freePort } from '../free-port.ts';
import { pipeline } from 'node:stream/promises';
import { killHard, spawnLocker, type LockerChild } from './locker-process.ts';

/** A running server child. */
export interface LockerServer {
  process: LockerChild;
  url: string;
}

/** Status and parsed JSON body of one answer. */
export interface HttpAnswer {
  status: number;
  body: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request; never throws for an HTTP status, only for a failed connection. */
export function request(
  url: string,
  method: string,
  { json, file, timeoutMs = 60_000 }: { json?: unknown; file?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    const headers: Record<string, string | number> = {};
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
    if (file) Object.assign(headers, { 'content-type': 'application/octet-stream', 'content-length': fs.statSync(file).size });
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // Not JSON: keep the text.
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    if (file) pipeline(fs.createReadStream(file), req).catch(reject);
    else req.end(payload);
  });
}

function data(answer: HttpAnswer, what: string): unknown {
  if (answer.status !== 200) throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return (answer.body as { result: { data: unknown } }).result.data;
}

/** A tRPC mutation over plain HTTP. */
export async function trpcMutation(server: LockerServer, procedure: string, input?: unknown): Promise<unknown> {
  return data(await request(`${server.url}/trpc/${procedure}`, 'POST', { json: input ?? {} }), procedure);
}

/** A tRPC query over plain HTTP. */
export async function trpcQuery(server: LockerServer, procedure: string, input?: unknown): Promise<unknown> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return data(await request(`${server.url}/trpc/${procedure}${query}`, 'GET'), procedure);
}

/** The job snapshot fields the trials read. */
export interface JobSnapshot {
  id: string;
  kind: string;
  state: string;
  result?: unknown;
  error: { code: string; message: string } | null;
}

/** Polls `jobs.get` until the job has ended; returns its last snapshot. */
export async function waitForJob(server: LockerServer, job: JobSnapshot, timeoutMs = 120_000): Promise<JobSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let snapshot = job;
  while (!['succeeded', 'failed', 'cancelled'].includes(snapshot.state)) {
    if (Date.now() > deadline) throw new Error(`job ${job.id} did not end within ${timeoutMs} ms`);
    await sleep(50);
    snapshot = (await trpcQuery(server, 'jobs.get', { id: job.id })) as JobSnapshot;
  }
  return snapshot;
}

/** Streams `file` to `POST /api/uploads`; returns the upload id. */
export async function uploadArchive(server: LockerServer, file: string): Promise<string> {
  const answer = await request(`${server.url}/api/uploads`, 'POST', { file });
  if (answer.status !== 200) throw new Error(`POST /api/uploads answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return (answer.body as { uploadId: string }).uploadId;
}

/**
 * Starts `locker serve` on `dataDir` and `backupDir` (the README's DATA_DIR, BACKUP_DIR, HOST,
 * PORT) and waits until /api/health answers 200; with `group`, in a process group of its own
 * under a parent shell (locker-process.ts), as a container runs it.
 */
export async function startLockerServer(
  dataDir: string,
  backupDir: string,
  { timeoutMs = 30_000, group = false }: { timeoutMs?: number; group?: boolean } = {},
): Promise<LockerServer> {
  const port = await freePort();
  const env = { DATA_DIR: dataDir, BACKUP_DIR: backupDir, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' };
  const child = spawnLocker(['serve'], env, { group });
  const server = { process: child, url: `http://127.0.0.1:${port}` };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.ended()) {
      const exit = await child.exited;
      throw new Error(`the server exited (${exit.code ?? exit.signal}) while starting:\n${child.output()}`);
    }
    const answer = await request(`${server.url}/api/health`, 'GET', { timeoutMs: 2000 }).catch(() => undefined);
    if (answer?.status === 200) return server;
    await sleep(50);
  }
  await killHard(child);
  throw new Error(`the server did not answer /api/health within ${timeoutMs} ms:\n${child.output()}`);
}

/** Stops the server with SIGTERM (its clean shutdown), SIGKILL after `graceMs`. Returns the exit. */
export async function stopLockerServer(server: LockerServer, graceMs = 15_000) {
  const { child } = server.process;
  if (child.exitCode === null && child.signalCode === null) {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.kill('SIGTERM');
    const exit = await server.process.exited;
    clearTimeout(force);
    return exit;
  }
  return server.process.exited;
}
