/**
 * Where the built product is: the bundle `pnpm --filter @evidence-locker/server build` writes
 * (apps/server/dist/locker.js: the CLI and the server in one, worker threads beside it), the
 * launcher users run it through (apps/server/bin/locker) and the web app the server serves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root directory. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** apps/server. */
export const SERVER_DIR = path.join(REPO_ROOT, 'apps/server');
/** The built CLI and server, plain JavaScript (apps/server/dist/locker.js). */
export const SERVER_BUNDLE = path.join(SERVER_DIR, 'dist/locker.js');
/** What `pnpm start` and `pnpm locker` run: builds a stale bundle, then execs node on it. */
export const LOCKER_LAUNCHER = path.join(SERVER_DIR, 'bin/locker');
/** The built web app the server serves at `/` (apps/web/dist). */
export const WEB_INDEX = path.join(REPO_ROOT, 'apps/web/dist/index.html');

/**
 * Throws a message naming the build command when the server bundle (and with `webApp`, the web
 * app; default false) has not been built.
 */
export function assertBuilt(options: { webApp?: boolean; bundle?: string } = {}): void {
  const bundle = options.bundle ?? SERVER_BUNDLE;
  const builds = options.webApp
    ? 'pnpm --filter @evidence-locker/web build && pnpm --filter @evidence-locker/server build'
    : 'pnpm --filter @evidence-locker/server build';
  for (const required of options.webApp ? [bundle, WEB_INDEX] : [bundle]) {
    if (!fs.existsSync(required)) throw new Error(`${path.relative(REPO_ROOT, required)} is missing: run \`${builds}\` first`);
  }
}
