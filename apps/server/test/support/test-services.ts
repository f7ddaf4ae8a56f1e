/**
 * Test helpers: a temporary data directory with an opened Instance, the server's services, and
 * tRPC contexts that record the cookies a procedure sets. Used by router and HTTP tests only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toPythonJson } from '@evidence-locker/core';
import { onTestFinished } from 'vitest';
import type { Env } from '../../src/env.ts';
import { openInstance } from '../../src/instance/instance.ts';
import type { UploadStoreOptions } from '../../src/restore/upload-store.ts';
import { closeServerServices, createServerServices } from '../../src/server-services.ts';
import type { Context, ServerServices } from '../../src/trpc/context.ts';

export interface TestServices {
  root: string;
  dataDir: string;
  backupDir: string;
  env: Env;
  services: ServerServices;
}

/** Options of {@link createTestServices}. */
export interface TestServicesOptions {
  /** config.json to write before opening (as DOCSight would). */
  config?: Record<string, unknown>;
  demoMode?: boolean;
  /** Upload store options (cap, expiry, clock); staged in the data directory. */
  uploads?: Omit<UploadStoreOptions, 'stagingDir'>;
}

/**
 * A fresh instance in a temp directory (data, backups, both inside one browse root), closed and
 * removed when the current test finishes. Call it inside a test, not in a hook of a suite.
 */
export async function createTestServices(options: TestServicesOptions = {}): Promise<TestServices> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'el-server-')));
  const dataDir = path.join(root, 'data');
  const backupDir = path.join(root, 'backups');
  fs.mkdirSync(dataDir);
  fs.mkdirSync(backupDir);
  if (options.config) {
    fs.writeFileSync(path.join(dataDir, 'config.json'), toPythonJson(options.config));
  }
  const env: Env = {
    dataDir,
    backupDir,
    host: '127.0.0.1',
    port: 8765,
    browseRoots: [root],
    demoMode: options.demoMode,
    logLevel: 'silent',
  };
  const instance = await openInstance({
    dataDir,
    backupDir,
    browseRoots: env.browseRoots,
    demoModeOverride: options.demoMode,
  });
  const services = createServerServices({
    env,
    instance,
    uploads: options.uploads,
    // The scheduler is never started (tests that need a schedule start their own with a test
    // clock), so there is no schedule to show and a settings save reschedules nothing.
    scheduleState: () => null,
  });
  onTestFinished(async () => {
    await closeServerServices(services);
    fs.rmSync(root, { recursive: true, force: true });
  });
  return { root, dataDir, backupDir, env, services };
}

/** A context plus what the procedure did to the session cookie and the log. */
export interface TestContext {
  ctx: Context;
  cookie: { value: string | undefined; cleared: boolean };
  logLines: Array<{ level: string; fields: Record<string, unknown>; message: string }>;
}

/** A tRPC context for `services`, as if a request came from `clientAddress` with `sessionToken`. */
export function createTestContext(services: ServerServices, request: { clientAddress?: string; sessionToken?: string } = {}): TestContext {
  const cookie: TestContext['cookie'] = { value: undefined, cleared: false };
  const logLines: TestContext['logLines'] = [];
  const line = (level: string) => (fields: object, message: string) => {
    logLines.push({ level, fields: fields as Record<string, unknown>, message });
  };
  return {
    cookie,
    logLines,
    ctx: {
      ...services,
      request: {
        clientAddress: request.clientAddress ?? '192.0.2.10',
        sessionToken: request.sessionToken,
        setSessionCookie: (token) => {
          cookie.value = token;
        },
        clearSessionCookie: () => {
          cookie.cleared = true;
        },
        log: { info: line('info'), warn: line('warn'), error: line('error') },
      },
    },
  };
}
