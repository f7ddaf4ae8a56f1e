/**
 * Benchmark of the running server under long work (issue 4): how long its event loop is blocked and
 * how much memory it takes while a 1 GB backup is created, and while a 1 GB archive is uploaded and
 * restored. Targets: worst event-loop delay under 50 ms, peak RSS under 150 MB.
 *
 *   pnpm bench:server [-- [--runs=N] [--cpu-prof=DIR] [DATA_DIR]]
 *   node bench/server.bench.mjs [--runs=N] [--cpu-prof=DIR] [DATA_DIR]   (after building apps/web and apps/server)
 *
 * --runs=N (default 3) repeats phases 2 and 3, each time on a new fresh server and data dir, and
 * reports every run and their median: one run's time on this VM varies by a second (fresh page-cache
 * pages cost the host's lazy backing, docs/reliability.md).
 *
 * --cpu-prof=DIR runs the server with `--cpu-prof --cpu-prof-dir=DIR` in NODE_OPTIONS (one
 * .cpuprofile per thread, written when the server exits), to find what blocks the event loop.
 *
 * DATA_DIR defaults to /tmp/bench/one-gb (a configured instance without admin password, ~1 GB
 * docsis_history.db); when missing it is made with
 * `pnpm locker seed --data-dir /tmp/bench/one-gb --months 27 --configured`. It is only read: the
 * server runs on a `cp -r` copy in a temp dir, with its own temp BACKUP_DIR.
 *
 * The server starts as `pnpm start` runs it after its build: `apps/server/bin/locker serve`, which
 * execs `MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --heap-growing-percent=100
 * apps/server/dist/locker.js serve` (the child's pid is node's), as a child process on a free
 * port. Phases, each measured on its own:
 *   1. backup create   `backups.create` (tRPC), then `jobs.get` polled until the job ends;
 *   2. upload (fresh)  a second server on an empty data dir (the first-run wizard, the case DOCSight's
 *                      own restore endpoint serves): the archive streamed to `POST /api/uploads`
 *                      (node:http, no buffering), which validates, stages and verifies it;
 *   3. restore (fresh) `restore.start({ uploadId })`, then `jobs.get` polled every 20 ms until the job ends;
 *   4, 5. upload and restore (running): the same on the first, configured server; its restore
 *                      also writes the pre-restore backup of the 1 GB it held.
 * Target (issue 6): upload + restore of the 1 GB archive under 4.6 s with the server under 150 MB.
 * Per phase it prints:
 *   - wall seconds;
 *   - the server's own worst and p99 event-loop delay (ms): `GET /api/health?reset=1` before the
 *     phase starts the server's monitorEventLoopDelay histogram afresh, the same call after reads it;
 *   - the worst /api/health response time the bench saw (ms), polling every 20 ms: an outside view
 *     of the same thing, which also counts HTTP parsing and scheduling;
 *   - peak RSS (MB) of the server process, worker threads included: the kernel's high-water mark
 *     (VmHWM, reset before the phase through /proc/<pid>/clear_refs) and VmRSS sampled every 100 ms,
 *     whichever is higher. The server's own `maxRssBytes` (getrusage, since start) is printed too.
 * It exits non-zero when something fails (the server does not start, a job fails, a request is
 * refused), not when a target is missed. The temp dirs are removed and the server is stopped at the
 * end, on errors too.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'apps/server/dist/locker.js');
/** What `pnpm start` and `pnpm locker` run: the launcher of the built bundle. */
const launcher = path.join(root, 'apps/server/bin/locker');
const args = process.argv.slice(2);
const cpuProfileDir = args.find((arg) => arg.startsWith('--cpu-prof='))?.slice('--cpu-prof='.length);
const freshRuns = Number(args.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length) ?? 3);
const sourceDataDir = args.find((arg) => !arg.startsWith('--')) ?? '/tmp/bench/one-gb';
const TARGET_DELAY_MS = 50;
const TARGET_RSS_MB = 150;
const TARGET_UPLOAD_RESTORE_S = 4.6;
const MB = 1024 * 1024;

if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm --filter @evidence-locker/server build\` first`);

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let baseUrl;

/** One HTTP request to the server; resolves with status and parsed JSON body. */
function request(method, urlPath, { json, body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    const req = http.request(
      new URL(urlPath, baseUrl),
      {
        method,
        agent,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length, ...headers } : headers,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = text;
          }
          resolve({ status: res.statusCode, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body) pipeline(body, req).catch(reject);
    else req.end(payload);
  });
}

function ok(response, what) {
  if (response.status !== 200) throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

const trpcMutation = async (procedure, input) =>
  ok(await request('POST', `/trpc/${procedure}`, { json: input ?? {} }), procedure).result.data;
const trpcQuery = async (procedure, input) =>
  ok(await request('GET', `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`), procedure).result.data;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** VmRSS and VmHWM of `pid` in bytes, or undefined once it is gone. */
function procMemory(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Resets the kernel's peak-RSS mark of `pid` (Linux >= 4.0); false when not allowed. */
function resetPeakRss(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Starts the samplers for one phase; `stop()` returns what they saw. */
function startSamplers(pid) {
  let running = true;
  let peakRss = 0;
  let worstHealthMs = 0;
  let healthPolls = 0;
  const memoryTimer = setInterval(() => {
    const memory = procMemory(pid);
    if (memory) peakRss = Math.max(peakRss, memory.rss);
  }, 100);
  // Failures are kept for stop(), so a refused poll cannot become an unhandled rejection.
  let failure;
  const healthLoop = (async () => {
    while (running) {
      const started = performance.now();
      const response = await request('GET', '/api/health');
      const elapsed = performance.now() - started;
      if (response.status !== 200) throw new Error(`/api/health answered ${response.status}`);
      worstHealthMs = Math.max(worstHealthMs, elapsed);
      healthPolls += 1;
      await sleep(Math.max(0, 20 - elapsed));
    }
  })().catch((error) => {
    failure = error;
  });
  return {
    async stop() {
      running = false;
      clearInterval(memoryTimer);
      await healthLoop;
      if (failure) throw failure;
      const memory = procMemory(pid);
      return { peakRss: Math.max(peakRss, memory?.rss ?? 0, memory?.hwm ?? 0), worstHealthMs, healthPolls };
    },
  };
}

/** Runs `work` as one measured phase. */
async function phase(name, pid, work) {
  ok(await request('GET', '/api/health?reset=1'), 'health reset');
  const hwmReset = resetPeakRss(pid);
  const samplers = startSamplers(pid);
  const started = performance.now();
  let outcome;
  let sampled;
  let seconds;
  try {
    outcome = await work();
  } finally {
    seconds = (performance.now() - started) / 1000;
    sampled = await samplers.stop();
  }
  const health = ok(await request('GET', '/api/health?reset=1'), 'health');
  const row = {
    phase: name,
    seconds,
    maxDelayMs: health.eventLoop.maxDelayMs,
    p99DelayMs: health.eventLoop.p99DelayMs,
    worstHealthMs: sampled.worstHealthMs,
    healthPolls: sampled.healthPolls,
    peakRssMb: sampled.peakRss / MB,
    serverMaxRssMb: health.maxRssBytes / MB,
    hwmReset,
  };
  console.error(`  ${name}: ${seconds.toFixed(1)} s`);
  return { row, outcome };
}

async function waitForJob(job) {
  let snapshot = job;
  while (!['succeeded', 'failed', 'cancelled'].includes(snapshot.state)) {
    // Often, so a restore that only publishes (a fraction of a second) is not rounded up to the poll.
    await sleep(20);
    snapshot = await trpcQuery('jobs.get', { id: job.id });
  }
  if (snapshot.state !== 'succeeded') throw new Error(`${job.kind} job ${snapshot.state}: ${JSON.stringify(snapshot.error)}`);
  return snapshot.result;
}

function uploadArchive(archivePath) {
  const size = fs.statSync(archivePath).size;
  return request('POST', '/api/uploads', {
    body: fs.createReadStream(archivePath, { highWaterMark: 1024 * 1024 }),
    headers: { 'content-type': 'application/octet-stream', 'content-length': size },
  });
}

async function waitForServer(child, output) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await request('GET', '/api/health');
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`the server did not answer within 30 s:\n${output()}`);
}

function stopServer(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function printTable(rows) {
  const header = ['phase', 'wall s', 'loop max ms', 'loop p99 ms', 'health worst ms', 'peak RSS MB', 'server maxRSS MB'];
  const lines = rows.map((row) => [
    row.phase,
    row.seconds.toFixed(2),
    row.maxDelayMs.toFixed(1),
    row.p99DelayMs.toFixed(1),
    `${row.worstHealthMs.toFixed(1)} (${row.healthPolls})`,
    `${row.peakRssMb.toFixed(0)}${row.hwmReset ? '' : '*'}`,
    row.serverMaxRssMb.toFixed(0),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  console.log(format(header));
  for (const line of lines) console.log(format(line));
  console.log(
    `health worst: slowest /api/health answer seen by the bench (number of polls). server maxRSS: the server's peak since it started.`,
  );
  if (rows.some((row) => !row.hwmReset)) console.log('*: /proc/<pid>/clear_refs not writable; peak RSS is since the server started.');
  const worstDelay = Math.max(...rows.map((row) => row.maxDelayMs));
  const worstRss = Math.max(...rows.map((row) => row.peakRssMb));
  console.log(
    `targets: event-loop delay < ${TARGET_DELAY_MS} ms: ${worstDelay < TARGET_DELAY_MS ? 'met' : 'MISSED'} (worst ${worstDelay.toFixed(1)} ms); ` +
      `peak RSS < ${TARGET_RSS_MB} MB: ${worstRss < TARGET_RSS_MB ? 'met' : 'MISSED'} (worst ${worstRss.toFixed(0)} MB)`,
  );
}

/** Starts the built server on `dataDir`/`backupDir` and points `request` at it. */
async function launch(dataDir, backupDir) {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const profile = cpuProfileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(cpuProfileDir)}` } : {};
  // As `pnpm start` runs it (README, Configuration); the launcher sets MALLOC_ARENA_MAX itself.
  const env = { ...process.env, ...profile, DATA_DIR: dataDir, BACKUP_DIR: backupDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  delete env.MALLOC_ARENA_MAX;
  const child = spawn(launcher, ['serve'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  servers.push(child);
  await waitForServer(child, () => output);
  return { child, url: baseUrl };
}

/** The worst of two phases as one row (p99 too: the histograms were separate). */
function combine(name, first, second) {
  return {
    phase: name,
    seconds: first.seconds + second.seconds,
    maxDelayMs: Math.max(first.maxDelayMs, second.maxDelayMs),
    p99DelayMs: Math.max(first.p99DelayMs, second.p99DelayMs),
    worstHealthMs: Math.max(first.worstHealthMs, second.worstHealthMs),
    healthPolls: first.healthPolls + second.healthPolls,
    peakRssMb: Math.max(first.peakRssMb, second.peakRssMb),
    serverMaxRssMb: second.serverMaxRssMb,
    hwmReset: first.hwmReset && second.hwmReset,
  };
}

/** Uploads `archivePath` and restores it on the server at `pid`: three rows (upload, restore, both). */
async function uploadAndRestore(label, pid, archivePath) {
  const uploaded = await phase(`upload${label}`, pid, async () => ok(await uploadArchive(archivePath), 'POST /api/uploads'));
  const restored = await phase(`restore${label}`, pid, async () =>
    waitForJob(await trpcMutation('restore.start', { uploadId: uploaded.outcome.uploadId })),
  );
  return [uploaded.row, restored.row, combine(`upload + restore${label}`, uploaded.row, restored.row)];
}

const servers = [];

async function main() {
  if (!fs.existsSync(path.join(sourceDataDir, 'docsis_history.db'))) {
    console.error(`${sourceDataDir} is missing: seeding it (takes a few minutes)`);
    execFileSync('pnpm', ['locker', 'seed', '--data-dir', sourceDataDir, '--months', '27', '--configured'], { cwd: root, stdio: 'inherit' });
  }
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'el-server-bench-'));
  try {
    const dataDir = path.join(tempRoot, 'data');
    const backupDir = path.join(tempRoot, 'backups');
    execFileSync('cp', ['-r', sourceDataDir, dataDir]);
    fs.mkdirSync(backupDir);
    const dbMb = fs.statSync(path.join(dataDir, 'docsis_history.db')).size / 1e6;
    const running = await launch(dataDir, backupDir);
    const { child } = running;
    console.log(`server pid ${child.pid} on ${baseUrl}; docsis_history.db ${dbMb.toFixed(0)} MB; node ${process.version}; load ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`);

    const rows = [];
    const created = await phase('backup create', child.pid, async () => waitForJob(await trpcMutation('backups.create')));
    rows.push(created.row);
    const archivePath = path.join(tempRoot, path.basename(created.outcome.path));
    fs.copyFileSync(created.outcome.path, archivePath);
    console.log(`archive ${path.basename(archivePath)}: ${(fs.statSync(archivePath).size / 1e6).toFixed(0)} MB`);

    // The first-run wizard (DOCSight's own restore endpoint is this case): a fresh instance with an
    // empty data directory, so there is nothing to keep in a pre-restore backup.
    const freshTotals = [];
    for (let run = 1; run <= freshRuns; run += 1) {
      const freshData = path.join(tempRoot, 'fresh-data');
      const freshBackups = path.join(tempRoot, 'fresh-backups');
      fs.mkdirSync(freshBackups);
      const fresh = await launch(freshData, freshBackups);
      const freshRows = await uploadAndRestore(freshRuns === 1 ? ' (fresh)' : ` (fresh ${run})`, fresh.child.pid, archivePath);
      rows.push(...freshRows);
      freshTotals.push(freshRows[2].seconds);
      await stopServer(fresh.child);
      fs.rmSync(freshData, { recursive: true, force: true });
      fs.rmSync(freshBackups, { recursive: true, force: true });
    }

    // The running, configured instance: the restore first writes a pre-restore backup of its 1 GB.
    baseUrl = running.url;
    rows.push(...(await uploadAndRestore(' (running)', child.pid, archivePath)));
    console.log('');
    printTable(rows);
    const sorted = [...freshTotals].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    console.log(
      `upload + restore (fresh), ${freshTotals.length} run(s): ${freshTotals.map((seconds) => seconds.toFixed(2)).join(' / ')} s, ` +
        `median ${median.toFixed(2)} s; target < ${TARGET_UPLOAD_RESTORE_S} s: ${median < TARGET_UPLOAD_RESTORE_S ? 'met' : 'MISSED'}`,
    );
    // Other work on the machine starves the server's thread of CPU and shows up as event-loop delay.
    console.log(`load average at the end: ${os.loadavg().map((load) => load.toFixed(2)).join(' ')} on ${os.availableParallelism()} CPUs`);
  } finally {
    for (const server of servers) await stopServer(server);
    agent.destroy();
    fs.rmSync(tempRoot, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
