/**
 * A crash run's own copy of the built bundle: others rebuild apps/server/dist while a long run is
 * under way, and a trial must not meet a half-replaced bundle. The copy gets a `node_modules` link
 * to the server's, where its one external, better-sqlite3, is found. The web app is not copied: the
 * server then answers `/` with its "not built" page; the API is unaffected.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { assertBuilt, SERVER_BUNDLE, SERVER_DIR } from '@evidence-locker/harness';

/** Copies the built bundle to `dir/dist` and returns the copy's entry (`dir/dist/locker.js`). */
export async function copyLockerBundle(dir: string): Promise<string> {
  assertBuilt();
  await fs.mkdir(dir, { recursive: true });
  await fs.cp(path.dirname(SERVER_BUNDLE), path.join(dir, 'dist'), { recursive: true });
  await fs.symlink(path.join(SERVER_DIR, 'node_modules'), path.join(dir, 'node_modules'));
  const bundle = path.join(dir, 'dist', path.basename(SERVER_BUNDLE));
  if (!existsSync(bundle)) throw new Error(`copying ${SERVER_BUNDLE} failed (a build running meanwhile?)`);
  return bundle;
}
