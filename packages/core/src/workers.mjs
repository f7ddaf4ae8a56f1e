/**
 * `@evidence-locker/core/workers`: core's worker thread entry files, absolute, by the name their
 * callers start them under (`startWorker(new URL('./<name>.ts', import.meta.url))`). A bundler
 * builds each one beside the main file as `<name>.js`, where startWorker finds it
 * (apps/server/scripts/build.mjs). Plain JavaScript, so a build script running without tsx can
 * import it.
 */
import { fileURLToPath } from 'node:url';

const entry = (relative) => fileURLToPath(new URL(relative, import.meta.url));

/** Worker name → absolute path of its `.ts` entry. */
export const WORKER_ENTRIES = Object.freeze({
  'snapshot-worker': entry('./archive/create/snapshot-worker.ts'),
  'sqlite-task-worker': entry('./db/sqlite-task-worker.ts'),
});
