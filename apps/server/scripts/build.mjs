// Builds the server and CLI into plain JavaScript in dist/ (esbuild), so production runs without
// tsx: faster worker start-up and less memory. Every worker entry is built beside locker.js under
// the name its caller asks for (core's startWorker falls back from `x.ts` to `x.js`).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const core = fileURLToPath(new URL('../../../packages/core/src/', import.meta.url));
rmSync(`${root}/dist`, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: {
    locker: 'src/cli/main.ts',
    'snapshot-worker': `${core}archive/snapshot-worker.ts`,
    'sqlite-task-worker': `${core}archive/sqlite-task-worker.ts`,
    'dashboard-counts-worker': 'src/instance/dashboard-counts-worker.ts',
    'demo-seed-worker': 'src/demo/demo-seed-worker.ts',
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Code loaded on demand (the server, for `locker serve` only) goes into shared chunks.
  splitting: true,
  // Flat, beside the entries: workers are found relative to the module that starts them.
  chunkNames: 'chunk-[hash]',
  sourcemap: true,
  // Native addon: loaded from node_modules at run time.
  external: ['better-sqlite3'],
  // Bundled CommonJS dependencies (fastify, pino) call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
console.log('Built apps/server/dist');
