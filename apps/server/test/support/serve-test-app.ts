/**
 * Test helpers: the built HTTP server on a fresh temp instance, for tests that go through Fastify
 * (inject or real HTTP on loopback). Each registers its own clean-up with the running test, so a
 * test file needs no `let app` and no `afterEach`.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import { buildServer } from '../../src/app.ts';
import type { Env } from '../../src/env.ts';
import type { UploadStoreOptions } from '../../src/restore/upload-store.ts';
import { createTestServices, type TestServices } from './test-services.ts';

/** Options of {@link serveTestApp} and {@link listenTestApp}. */
export interface TestAppOptions {
  /** config.json to write before opening (default: none, an instance not yet set up). */
  config?: Record<string, unknown>;
  /** Env values over the test instance's (`allowedHosts`, `scheduleStartDelayMs`, …); the log level is `info`. */
  env?: Partial<Env>;
  /**
   * Files of a built web app, by path relative to its root, written inside the temp directory
   * (default: no built web app, so the server answers pages with "not built").
   */
  webFiles?: Record<string, string>;
  /** Upload store options (cap, expiry, pace) for the server (default: the server's own). */
  uploads?: Omit<UploadStoreOptions, 'stagingDir'>;
}

/** A built server, its temp instance, and every JSON log line it wrote. */
export interface TestApp {
  app: FastifyInstance;
  setup: TestServices;
  logLines: Array<Record<string, unknown>>;
}

/**
 * Builds the server on a fresh temp instance, not listening (use `app.inject`). The server is
 * closed and the temp directory removed when the current test finishes.
 */
export async function serveTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const setup = await createTestServices({ config: options.config });
  const logLines: TestApp['logLines'] = [];
  const app = await buildServer({
    env: { ...setup.env, logLevel: 'info', ...options.env },
    instance: setup.services.instance,
    logStream: { write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
    webDistDir: options.webFiles ? writeWebDist(setup.root, options.webFiles) : path.join(setup.root, 'no-web-dist'),
    uploads: options.uploads,
  });
  // Finished hooks run last-registered first: the server closes before its instance is removed.
  onTestFinished(() => app.close());
  return { app, setup, logLines };
}

/** {@link serveTestApp}, listening on a free port of 127.0.0.1; with its URL and port. */
export async function listenTestApp(options: TestAppOptions = {}): Promise<TestApp & { url: string; port: number }> {
  const served = await serveTestApp(options);
  const url = await served.app.listen({ host: '127.0.0.1', port: 0 });
  return { ...served, url, port: (served.app.server.address() as AddressInfo).port };
}

function writeWebDist(root: string, files: Record<string, string>): string {
  const webDistDir = path.join(root, 'web-dist');
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(webDistDir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return webDistDir;
}
