/**
 * How the server benches measure one phase of work on a running server (bench/server.bench.ts,
 * bench/offsite.bench.mjs): wall time, the server's own event-loop delay, the worst /api/health
 * answer the bench saw, and the server process's peak RSS.
 *
 * - Event loop: `GET /api/health?reset=1` before the phase starts the server's monitorEventLoopDelay
 *   histogram afresh, the same call after reads its worst and p99 (apps/server/src/http/health-route.ts).
 * - Outside view: /api/health polled every 20 ms over keep-alive, as a browser polls; the slowest
 *   answer also counts HTTP parsing and scheduling.
 * - Peak RSS of the server process, worker threads included: reliability's sampler (the kernel's
 *   VmHWM reset through /proc/<pid>/clear_refs, and VmRSS every 100 ms, whichever is higher); the
 *   server's own `maxRssBytes` (getrusage, since it started) is kept too.
 */
import http from 'node:http';
import { startPeakRssSampler } from '@evidence-locker/reliability/process-memory';

/** What `GET /api/health` answers, the fields read here. */
export interface Health {
  eventLoop: { maxDelayMs: number; p99DelayMs: number };
  maxRssBytes: number;
}

/** The server a phase runs on: its origin and the pid of its node process. */
export interface MeasuredServer {
  url: string;
  pid: number;
}

/** One measured phase. */
export interface PhaseRow {
  phase: string;
  seconds: number;
  maxDelayMs: number;
  p99DelayMs: number;
  worstHealthMs: number;
  healthPolls: number;
  peakRssMb: number;
  serverMaxRssMb: number;
  /** False when /proc/<pid>/clear_refs was not writable: peakRssMb is then the peak since the server started. */
  hwmReset: boolean;
}

const MB = 1024 * 1024;

// The bench's own view of responsiveness: keep-alive, as a browser polls.
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** Closes the keep-alive sockets of the /api/health polls (at the end of a bench). */
export function closeHealthAgent(): void {
  agent.destroy();
}

/** `GET /api/health` (with `reset`: and restart the server's delay statistics). */
export function health(url: string, reset: boolean): Promise<Health> {
  return new Promise((resolve, reject) => {
    const request = http.get(new URL(`/api/health${reset ? '?reset=1' : ''}`, url), { agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 200) reject(new Error(`/api/health answered ${response.statusCode}: ${text}`));
        else resolve(JSON.parse(text) as Health);
      });
    });
    request.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the samplers for one phase: the server's peak RSS and /api/health every 20 ms; `stop()`
 * returns what they saw.
 */
function startSamplers(server: MeasuredServer) {
  let sampling = true;
  let worstHealthMs = 0;
  let healthPolls = 0;
  const memory = startPeakRssSampler(server.pid);
  // Failures are kept for stop(), so a refused poll cannot become an unhandled rejection.
  let failure: { error: unknown } | undefined;
  const healthLoop = (async () => {
    while (sampling) {
      const started = performance.now();
      await health(server.url, false);
      const elapsed = performance.now() - started;
      worstHealthMs = Math.max(worstHealthMs, elapsed);
      healthPolls += 1;
      await sleep(Math.max(0, 20 - elapsed));
    }
  })().catch((error: unknown) => {
    failure = { error };
  });
  return {
    hwmReset: memory.hwmReset,
    async stop() {
      sampling = false;
      const { peakRssBytes } = memory.stop();
      await healthLoop;
      if (failure) throw failure.error;
      return { peakRss: peakRssBytes, worstHealthMs, healthPolls };
    },
  };
}

/** Runs `work` as one measured phase on `server`; prints `  NAME: S s` to stderr when it ends. */
export async function phase<T>(name: string, server: MeasuredServer, work: () => Promise<T>): Promise<{ row: PhaseRow; outcome: T }> {
  await health(server.url, true);
  const samplers = startSamplers(server);
  const { hwmReset } = samplers;
  const started = performance.now();
  let outcome: T;
  let sampled: Awaited<ReturnType<ReturnType<typeof startSamplers>['stop']>>;
  let seconds: number;
  try {
    outcome = await work();
  } finally {
    seconds = (performance.now() - started) / 1000;
    sampled = await samplers.stop();
  }
  const after = await health(server.url, true);
  const row: PhaseRow = {
    phase: name,
    seconds,
    maxDelayMs: after.eventLoop.maxDelayMs,
    p99DelayMs: after.eventLoop.p99DelayMs,
    worstHealthMs: sampled.worstHealthMs,
    healthPolls: sampled.healthPolls,
    peakRssMb: sampled.peakRss / MB,
    serverMaxRssMb: after.maxRssBytes / MB,
    hwmReset,
  };
  console.error(`  ${name}: ${seconds.toFixed(1)} s`);
  return { row, outcome };
}
