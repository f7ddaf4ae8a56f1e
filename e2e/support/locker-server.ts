/**
 * A test's server: the built server (`startServer` of @evidence-locker/harness, as `pnpm start`
 * runs it) on a fresh temp directory holding its DATA_DIR and BACKUP_DIR, plus any extra
 * environment. Stopping it stops the server (SIGTERM: it closes its databases) and removes the
 * directory. A journey may also halt the server (a clean stop, or a crash) and start it again on
 * the same port and directories, as a container restart does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '@evidence-locker/harness';

/** A running server. */
export interface LockerServer {
  url: string;
  /** The temp directory holding everything below. */
  root: string;
  dataDir: string;
  backupDir: string;
  /** Server output so far, of every start (for failure messages). */
  output(): string;
  /** Stops the server process and keeps its directories: SIGTERM (a clean stop), or with `crash` SIGKILL. */
  halt(options?: { crash?: boolean }): Promise<void>;
  /** Starts the server again on the same port, directories and environment. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a server; `env` adds variables, `prepare` runs on the root before the start. */
export async function startLockerServer(
  options: { env?: (root: string) => Record<string, string>; prepare?: (root: string) => void } = {},
): Promise<LockerServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'locker-e2e-'));
  const dataDir = path.join(root, 'data');
  const backupDir = path.join(root, 'backups');
  try {
    fs.mkdirSync(dataDir);
    fs.mkdirSync(backupDir);
    options.prepare?.(root);
    const env = options.env?.(root) ?? {};
    let server = await startServer({ dataDir, backupDir, env, webApp: true });
    let earlierOutput = '';
    return {
      url: server.url,
      root,
      dataDir,
      backupDir,
      output: () => earlierOutput + server.output(),
      async halt({ crash = false } = {}) {
        if (crash) await server.process.kill();
        await server.stop(10_000);
        earlierOutput += server.output();
      },
      async restart() {
        server = await startServer({ dataDir, backupDir, env, webApp: true, port: server.port });
      },
      async stop() {
        await server.stop(10_000);
        fs.rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
