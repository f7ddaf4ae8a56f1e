/**
 * A test's server: the built server (`startServer` of @evidence-locker/harness, as `pnpm start`
 * runs it) on a fresh temp directory holding its DATA_DIR and BACKUP_DIR, plus any extra
 * environment. Stopping it stops the server (SIGTERM: it closes its databases) and removes the
 * directory.
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
  /** Server output so far (for failure messages). */
  output(): string;
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
    const server = await startServer({ dataDir, backupDir, env: options.env?.(root) ?? {}, webApp: true });
    return {
      url: server.url,
      root,
      dataDir,
      backupDir,
      output: () => server.output(),
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
