/**
 * Starts the built server on a fresh temp directory: DATA_DIR, BACKUP_DIR and a free port, plus
 * any extra environment. Stopping it sends SIGTERM (the server closes its databases) and removes
 * the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_BUNDLE = path.join(REPO_ROOT, 'apps/server/dist/locker.js');
const WEB_INDEX = path.join(REPO_ROOT, 'apps/web/dist/index.html');

/** A running server. */
export interface LockerServer {
  url: string;
  /** The temp directory holding everything below. */
  root: string;
  dataDir: string;
  backupDir: string;
  /** Server output so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The server did not answer within 30 s:\n${output()}`);
}

/** Starts a server; `env` adds variables, `prepare` runs on the root before the start. */
export async function startLockerServer(
  options: { env?: (root: string) => Record<string, string>; prepare?: (root: string) => void } = {},
): Promise<LockerServer> {
  for (const required of [SERVER_BUNDLE, WEB_INDEX]) {
    if (!fs.existsSync(required)) {
      throw new Error(`${path.relative(REPO_ROOT, required)} is missing: run \`pnpm --filter @evidence-locker/e2e build\` first.`);
    }
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'locker-e2e-'));
  const dataDir = path.join(root, 'data');
  const backupDir = path.join(root, 'backups');
  fs.mkdirSync(dataDir);
  fs.mkdirSync(backupDir);
  options.prepare?.(root);
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, [SERVER_BUNDLE, 'serve'], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      DATA_DIR: dataDir,
      BACKUP_DIR: backupDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...options.env?.(root),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const output = () => log;
  try {
    await waitForHealth(url, child, output);
  } catch (error) {
    child.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    root,
    dataDir,
    backupDir,
    output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
