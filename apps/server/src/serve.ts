/**
 * `locker serve`: builds the server from the environment, listens, logs the URL, and shuts down
 * cleanly on SIGTERM/SIGINT within a container's stop timeout (compose waits 10 s, then kills):
 * stop accepting, cancel the running job (its partial files removed) at once, let requests in
 * flight finish for a grace period, then cut the connections still open, and close the databases.
 * While it runs it holds a lease on its data and backup directories (core's
 * work-dir/work-dir-lease.ts), so a CLI command run meanwhile does not sweep the work files of the
 * server's jobs; leases a killed process left there are removed before the first request (uploads
 * a crash left staged go when the instance opens).
 */
import type { FastifyInstance } from 'fastify';
import { holdLeases, otherLeaseHolders, runSqliteTask } from '@evidence-locker/core';
import { buildServer, type BuildServerOptions } from './app.ts';
import { enqueueDemoSeed } from './demo/enqueue-demo-seed.ts';
import { serverSchedules } from './restore/schedule-pause.ts';
import type { Env } from './env.ts';

/** A running server and how to stop it. */
export interface RunningServer {
  app: FastifyInstance;
  /** The address it listens on, e.g. http://127.0.0.1:8765. */
  url: string;
  /** Closes the server and the instance; idempotent. */
  close(): Promise<void>;
}

/**
 * How long a shutdown lets requests in flight (a download, an upload, a progress stream) finish
 * before it closes their connections: well inside compose's 10 s between SIGTERM and SIGKILL.
 */
export const SHUTDOWN_GRACE_MS = 5000;
const IDLE_CLOSE_INTERVAL_MS = 100;

/** Options of {@link startServer}. */
export interface StartServerOptions extends Omit<BuildServerOptions, 'env'> {
  /** Install SIGTERM/SIGINT handlers that close the server and exit; default true (false for tests and embedding). */
  handleSignals?: boolean;
  /** See {@link SHUTDOWN_GRACE_MS} (the default). */
  shutdownGraceMs?: number;
}

/**
 * Starts the server for `env` and installs SIGTERM/SIGINT handlers that close it (default on;
 * `handleSignals: false` for tests and embedding).
 */
export async function startServer(env: Env, options: StartServerOptions = {}): Promise<RunningServer> {
  const app = await buildServer({ ...options, env });
  // Before the first request: a start is done only when a killed process's lease is gone too
  // (looking at the other leases removes those).
  const leaseDirs = [env.dataDir, env.backupDir, app.locker.instance.backupPath];
  for (const dir of leaseDirs) await otherLeaseHolders(dir);
  const releaseLeases = await holdLeases(leaseDirs);
  let address: string;
  try {
    address = await app.listen({ host: env.host, port: env.port });
  } catch (error) {
    await app.close();
    await releaseLeases();
    throw error;
  }
  const url = env.host.includes(':') && !address.startsWith('http') ? `http://[${env.host}]:${env.port}` : address;
  app.log.info({ url, dataDir: env.dataDir, backupDir: env.backupDir }, `Evidence Locker is listening on ${url}`);
  await seedDemoDataWhenEmpty(app);

  let removeSignalHandlers = (): void => undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    removeSignalHandlers();
    closing ??= shutDown(app, options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS).then(releaseLeases);
    return closing;
  };
  if (options.handleSignals ?? true) {
    const onSignal = (signal: NodeJS.Signals) => {
      app.log.info({ signal }, 'Shutting down');
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'Shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    removeSignalHandlers = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    };
  }
  return { app, url, close };
}

/**
 * Closes the server without waiting on long work. Fastify's close waits for every open request
 * before its onClose hooks run, and those cancel the jobs; but a job's watchers keep their progress
 * stream open until the job ends, so a backup being watched would run to its end first (22 s for a
 * 340 MB data directory, past a container's stop timeout). So the jobs are cancelled right away,
 * beside the close, and whatever is still open after the grace period is cut (a download's or
 * upload's abort removes its partial files like a client that went away).
 */
async function shutDown(app: FastifyInstance, graceMs: number): Promise<void> {
  // A connection whose request ended (a progress stream of a cancelled job) would otherwise be
  // held open by its client's keep-alive until the cut.
  const idle = setInterval(() => app.server.closeIdleConnections(), IDLE_CLOSE_INTERVAL_MS);
  const cut = setTimeout(() => {
    app.log.warn({ graceMs }, 'Shutting down: closing the connections still open');
    app.server.closeAllConnections();
  }, graceMs);
  try {
    // The close first, so no request is accepted while the jobs are being cancelled.
    await Promise.all([app.close(), app.locker.jobs.close()]);
  } finally {
    clearInterval(idle);
    clearTimeout(cut);
  }
}

/**
 * Demo mode forced by DEMO_MODE=true (or left on in config.json) on an instance without any data
 * gets its demo data at start, as DOCSight's demo collector seeds on its first poll.
 */
async function seedDemoDataWhenEmpty(app: FastifyInstance): Promise<void> {
  const { instance, jobs } = app.locker;
  if (!instance.snapshot.demoMode) return;
  if (await runSqliteTask({ kind: 'holds_rows', path: instance.historyPath })) return;
  const job = enqueueDemoSeed({ jobs, instance, schedule: serverSchedules(app.locker), log: app.log });
  app.log.info({ jobId: job.id }, 'Demo mode is on and the instance is empty: seeding demo data');
}
