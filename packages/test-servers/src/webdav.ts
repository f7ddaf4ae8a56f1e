/**
 * A real WebDAV server for tests: Debian's rclone (`rclone serve webdav`, installed when missing)
 * serving a directory on 127.0.0.1 on a free port, with Basic auth when a user is given, read-only
 * when asked. Stopped by the pid this started, never by name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess } from './child-process.ts';
import { ensureDebianPackages } from './debian-packages.ts';
import { freePort, waitForPort } from './free-port.ts';

export interface StartWebdavOptions {
  /** The user Basic auth wants; default `locker`. Pass `''` for a server without any login. */
  user?: string;
  /** The password; default `webdav-secret`. */
  pass?: string;
  /** Serve read-only (every write answers 403 or 405); default false. */
  readOnly?: boolean;
  /** The directory served; default a new temp directory (removed by `stop`). */
  rootDir?: string;
}

export interface RunningWebdav {
  /** `http://127.0.0.1:PORT/`: the served directory's root. */
  url: string;
  rootDir: string;
  /** Empty when the server takes no login. */
  username: string;
  password: string;
  pid: number;
  /** True until the process exited (a test may kill it). */
  alive(): boolean;
  /** The last part of rclone's log. */
  logTail(): string;
  /** Stops the rclone this started (SIGTERM, then SIGKILL) and removes a temp root it made. */
  stop(): Promise<void>;
}

const RCLONE = '/usr/bin/rclone';

/** Starts `rclone serve webdav` on a free port of 127.0.0.1 and resolves once it listens. */
export async function startWebdav(options: StartWebdavOptions = {}): Promise<RunningWebdav> {
  ensureDebianPackages(['rclone'], [RCLONE]);
  const username = options.user ?? 'locker';
  const password = options.pass ?? 'webdav-secret';
  const ownRoot = options.rootDir === undefined;
  const rootDir = options.rootDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'locker-webdav-'));
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'locker-webdav-state-'));
  const port = await freePort();
  // --dir-cache-time 0s: tests put files straight into rootDir and expect the server to see them at once.
  const args = [
    'serve',
    'webdav',
    rootDir,
    '--addr',
    `127.0.0.1:${port}`,
    '--dir-cache-time',
    '0s',
    '--config',
    path.join(stateDir, 'rclone.conf'),
  ];
  if (username !== '') args.push('--user', username, '--pass', password);
  if (options.readOnly) args.push('--read-only');
  // An empty AWS_CA_BUNDLE breaks rclone at start (LoadCustomCABundleError); it reads no other secret here.
  const env: NodeJS.ProcessEnv = { ...process.env, RCLONE_CACHE_DIR: path.join(stateDir, 'cache') };
  delete env.AWS_CA_BUNDLE;
  const server = startProcess(RCLONE, args, { logFile: path.join(stateDir, 'rclone.log'), env });
  try {
    await waitForPort(port, 20_000, () => server.alive());
  } catch (error) {
    await server.stop();
    throw new Error(`rclone serve webdav did not start: ${String(error)}\n${server.logTail()}`, { cause: error });
  }
  const pid = server.child.pid;
  if (pid === undefined) throw new Error('rclone serve webdav has no pid');
  return {
    url: `http://127.0.0.1:${port}/`,
    rootDir,
    username,
    password,
    pid,
    alive: () => server.alive(),
    logTail: () => server.logTail(),
    async stop() {
      await server.stop();
      if (ownRoot) fs.rmSync(rootDir, { recursive: true, force: true });
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
