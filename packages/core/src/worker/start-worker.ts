/**
 * Starts a worker thread from a module URL, whether the code runs as TypeScript or as built JS.
 *
 * Callers always name the `.ts` source: `startWorker(new URL('./x-worker.ts', import.meta.url))`.
 * - The `.ts` file exists (tsx at runtime, vitest in tests): Node 20 does not apply `--import tsx`
 *   from a worker's execArgv to its entry module (ERR_UNKNOWN_FILE_EXTENSION), so a tiny CommonJS
 *   bootstrap registers tsx's CommonJS hook inside the worker and then requires the entry. The
 *   CommonJS hook transpiles in the worker's own thread; tsx's ESM hook would start another loader
 *   thread and cost about 12 MB more.
 * - It does not (a bundle in dist/, where every worker entry is built beside the main file): the
 *   `.js` sibling is started directly.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Starts the worker module `entry` (a `.ts` URL, see above) with `options`. */
export function startWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const path = fileURLToPath(entry);
  if (!path.endsWith('.ts')) return new Worker(entry, options);
  if (!existsSync(path)) return new Worker(new URL(entry.href.replace(/\.ts$/, '.js')), options);
  const tsxCjsApi = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const bootstrap = `require(${JSON.stringify(tsxCjsApi)}).register(); require(${JSON.stringify(path)});`;
  return new Worker(bootstrap, { ...options, eval: true });
}
