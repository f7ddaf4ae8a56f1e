/**
 * The built server (`locker serve`, as `pnpm start` runs it: spawn-locker.ts) as a child process on
 * 127.0.0.1, ready once `GET /api/health` answers 200, and stopped again with SIGTERM (its clean
 * shutdown: jobs cancelled, databases closed), SIGKILL after a grace period.
 */
import { assertBuilt } from './locker-bundle.ts';
import { freePort } from '@evidence-locker/test-servers/free-port';
import { killHard, spawnLocker, type LockerExit, type LockerProcess } from './spawn-locker.ts';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** DATA_DIR. */
  dataDir: string;
  /** BACKUP_DIR. */
  backupDir: string;
  /** More environment variables (BROWSE_ROOTS, DEMO_MODE, …); LOG_LEVEL defaults to warn. */
  env?: Record<string, string>;
  /** PORT; default a free one. */
  port?: number;
  /** In a process group of its own under a parent that does not reap it (spawn-locker.ts); default false. */
  group?: boolean;
  /** The bundle to run; default SERVER_BUNDLE. */
  bundle?: string;
  /** Also require the built web app (apps/web/dist); default false. */
  webApp?: boolean;
  /** How long to wait for /api/health (ms); default 30 s. */
  startTimeoutMs?: number;
}

/** A running server. */
export interface RunningServer {
  /** Its origin, e.g. http://127.0.0.1:41234. */
  url: string;
  port: number;
  /** The node process (output, pid, exit). */
  process: LockerProcess;
  /** Its recent stdout and stderr. */
  output(): string;
  /**
   * SIGTERM to the process this call started, SIGKILL after `graceMs` (default 15 s); resolves with
   * its exit once it has ended. Safe to call again.
   */
  stop(graceMs?: number): Promise<LockerExit>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts the server and resolves once it answers; kills it again and throws if it does not. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  assertBuilt({ webApp: options.webApp ?? false, ...(options.bundle ? { bundle: options.bundle } : {}) });
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const env = {
    DATA_DIR: options.dataDir,
    BACKUP_DIR: options.backupDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const locker = spawnLocker(['serve'], { env, group: options.group ?? false, ...(options.bundle ? { bundle: options.bundle } : {}) });
  const server: RunningServer = {
    url,
    port,
    process: locker,
    output: () => locker.output(),
    async stop(graceMs = 15_000) {
      if (!locker.ended()) {
        const force = setTimeout(() => void locker.kill(), graceMs);
        await locker.signal('SIGTERM');
        await locker.exited.finally(() => clearTimeout(force));
      }
      return locker.exited;
    },
  };
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (locker.ended()) {
      const exit = await locker.exited;
      throw new Error(`the server exited (${exit.code ?? exit.signal}) while starting:\n${locker.output()}`);
    }
    if (await healthy(url)) return server;
    await sleep(50);
  }
  await killHard(locker);
  locker.dispose();
  throw new Error(`the server did not answer /api/health within ${timeoutMs} ms:\n${locker.output()}`);
}
