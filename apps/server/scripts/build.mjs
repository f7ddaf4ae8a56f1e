// Builds the server and CLI into plain JavaScript in dist/ (esbuild), so production runs without
// tsx: faster worker start-up and less memory. Every worker entry is built beside locker.js under
// the name its caller asks for (core's startWorker falls back from `x.ts` to `x.js`).
//
//   node scripts/build.mjs              build now (`pnpm build`, `pnpm start`, the test harnesses)
//   node scripts/build.mjs --if-stale   bin/locker found dist stale: build, unless another build
//                                       finished while this one waited for the lock
//
// One build at a time (a lock directory beside dist/; one left by a build that died is taken
// over). The bundle is written to a fresh directory and moved into place when complete, so dist/
// is never half-written; dist/.sources-stamp carries the time the build started, which bin/locker
// compares the sources against.
import { WORKER_ENTRIES as CORE_WORKERS } from '@evidence-locker/core/workers';
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.sources-stamp');
const lockDir = path.join(root, '.dist-build.lock');
const WORK_PREFIX = '.dist-build-';
/** A lock without an owner file (its builder died between the two steps) older than this is taken over. */
const OWNERLESS_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 10 * 60_000;

const mtimeOf = (file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function ownerAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Takes the build lock, waiting for another build; returns its release. */
async function takeLock() {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'owner'), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let owner;
    try {
      owner = Number(fs.readFileSync(path.join(lockDir, 'owner'), 'utf8')) || undefined;
    } catch {
      // Just taken (no owner file yet), or just released.
    }
    const age = Date.now() - (mtimeOf(lockDir) ?? Date.now());
    if (owner === undefined ? age > OWNERLESS_LOCK_MS : !ownerAlive(owner)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another build (pid ${owner ?? 'unknown'}) holds ${lockDir}`);
    await sleep(100);
  }
}

const stampSeen = mtimeOf(stamp);
const release = await takeLock();
try {
  if (process.argv.includes('--if-stale') && mtimeOf(stamp) !== stampSeen) {
    console.log('apps/server/dist was built meanwhile by another build: nothing to do');
  } else {
    for (const name of fs.readdirSync(root)) {
      // What a build that died left (only the lock holder builds).
      if (name.startsWith(WORK_PREFIX)) fs.rmSync(path.join(root, name), { recursive: true, force: true });
    }
    const started = new Date();
    const outdir = fs.mkdtempSync(path.join(root, WORK_PREFIX));
    fs.chmodSync(outdir, 0o755);
    await build({
      absWorkingDir: root,
      entryPoints: {
        locker: 'src/cli/main.ts',
        // Core's workers, by the names core starts them under (its `./workers` export).
        ...CORE_WORKERS,
        'dashboard-counts-worker': 'src/instance/dashboard-counts-worker.ts',
        'demo-seed-worker': 'src/demo/demo-seed-worker.ts',
      },
      outdir,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      // Code loaded on demand (the server, for `locker serve` only) goes into shared chunks.
      splitting: true,
      // Flat, beside the entries: workers are found relative to the module that starts them.
      chunkNames: 'chunk-[hash]',
      sourcemap: true,
      // Native addon: loaded from node_modules at run time. cpu-features is ssh2's optional native
      // helper (left unbuilt): ssh2 requires it inside a try and works without it, so it stays out.
      external: ['better-sqlite3', 'cpu-features'],
      // Bundled CommonJS dependencies (fastify, pino) call require() for Node built-ins; ssh2 reads
      // __dirname when it loads (a Windows agent's path it never uses here).
      banner: {
        js:
          "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); " +
          "import { fileURLToPath as __fileURLToPath } from 'node:url'; const __filename = __fileURLToPath(import.meta.url); " +
          "const __dirname = __fileURLToPath(new URL('.', import.meta.url));",
      },
      logLevel: 'warning',
    });
    fs.writeFileSync(path.join(outdir, '.sources-stamp'), `${started.toISOString()}\n`);
    fs.utimesSync(path.join(outdir, '.sources-stamp'), started, started);
    fs.rmSync(dist, { recursive: true, force: true });
    fs.renameSync(outdir, dist);
    console.log('Built apps/server/dist');
  }
} finally {
  release();
}
