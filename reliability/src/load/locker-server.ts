/**
 * Starts the built server as `pnpm start` runs it (apps/server/bin/locker serve, which execs
 * `MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --heap-growing-percent=100
 * apps/server/dist/locker.js serve`) as a child process on a free port of 127.0.0.1, waits until
 * `/api/health` answers, and stops it again (SIGTERM, then SIGKILL after 10 s). The last 20 KB of its
 * output are kept for error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { freePort } from '../free-port.ts';
import { LOCKER_COMMAND } from '../locker-cli.ts';
import { requireBuiltLocker } from '../locker-json.ts';

/** A running server. */
export interface LockerServer {
  pid: number;
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** Its recent stdout and stderr. */
  output(): string;
  /** Stops it; resolves when it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startLockerServer}. */
export interface LockerServerOptions {
  dataDir: string;
  backupDir: string;
  /** More environment variables (LOG_LEVEL defaults to warn). */
  env?: Record<string, string>;
}

function healthy(baseUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(new URL('/api/health', baseUrl), (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts the server and resolves once it answers; kills it again if it does not within 30 s. */
export async function startLockerServer(options: LockerServerOptions): Promise<LockerServer> {
  requireBuiltLocker();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Only what this run sets: a DEMO_MODE or BROWSE_ROOTS of the calling shell must not leak in
  // (nor a MALLOC_ARENA_MAX, which the launcher would keep instead of its own).
  for (const name of ['DEMO_MODE', 'BROWSE_ROOTS', 'SCHEDULE_START_DELAY_SECONDS', 'MALLOC_ARENA_MAX']) delete env[name];
  Object.assign(env, {
    DATA_DIR: options.dataDir,
    BACKUP_DIR: options.backupDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const child = spawn(LOCKER_COMMAND, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const server: LockerServer = { pid: child.pid!, baseUrl, output: () => output, stop: () => stopChild(child) };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
    if (await healthy(baseUrl)) return server;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(`the server did not answer within 30 s:\n${output}`);
}
