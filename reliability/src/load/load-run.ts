/**
 * The load scenario, shared by reliability/test/load.test.ts (a small data directory, a few seconds)
 * and bench/load.bench.ts (the 1 GB one):
 *
 *   1. the built server starts on `dataDir` (@evidence-locker/harness, as `pnpm start` runs it) with SCHEDULE_START_DELAY_SECONDS set low and the
 *      schedule off (a fresh instance without admin password, as after setup);
 *   2. Backup now (`backups.create`), waited for: an archive to download later;
 *   3. measuring starts: `/api/health?reset=1` restarts the server's event-loop delay statistics,
 *      the kernel's peak-RSS mark of the server is reset and VmRSS sampled;
 *   4. the settings page turns the schedule on (`settings.update`): no scheduled backup exists yet,
 *      so one is overdue and starts after the start delay, as a `scheduled` job;
 *   5. at the same time the downloads start streaming (the stored archive of step 2 through
 *      `GET /api/backups/<name>`, and/or a fresh one through `GET /api/backups/download`), and
 *      autocannon sends `backups.list` and `dashboard.summary` tRPC queries over `connections`
 *      keep-alive connections with a browser's headers;
 *   6. autocannon stops once the scheduled backup and the downloads have ended and `minSeconds`
 *      have passed (at the latest after `maxSeconds`); `/api/health` then gives the worst
 *      event-loop delay and the sampler the peak RSS;
 *   7. the archives are checked: the scheduled one and every download unpacked with core's reader
 *      (checksums) and their databases through integrity_check; the stored download must be
 *      byte-identical to the file on disk, each download as long as its Content-Length.
 * Every broken expectation becomes a line in `problems`. The server is stopped whatever happens.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import autocannon from 'autocannon';
import { createClient, startServer, waitForJob, type JobSnapshot, type LockerClient, type RunningServer } from '@evidence-locker/harness';
import { inspectArchive, type ArchiveInspection } from '../concurrency/archive-databases.ts';
import { browserHeaders } from './browser-headers.ts';
import { startPeakRssSampler } from './process-memory.ts';
import { streamDownload, type Download } from './stream-download.ts';

export type DownloadKind = 'stored' | 'fresh';

/** Options of {@link runLoad}. */
export interface LoadRunOptions {
  /** A data directory the server may own (a copy, never the original). */
  dataDir: string;
  backupDir: string;
  /** Downloads and unpacked archives go here (created when missing). */
  scratchDir: string;
  /** autocannon connections; default 50. */
  connections?: number;
  /** autocannon runs at least this long (s); default 5. */
  minSeconds?: number;
  /** and at most this long (s), even if the backup or a download is still running; default 600. */
  maxSeconds?: number;
  /** Downloads streaming during the load; default one stored and one fresh. */
  downloads?: DownloadKind[];
  /** Read the downloads no faster than this (bytes/s); default as fast as they come. */
  downloadBytesPerSecond?: number;
  /** SCHEDULE_START_DELAY_SECONDS of the server; default 1. */
  scheduleStartDelaySeconds?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** An archive made or downloaded during the load, and what the checks found. */
export interface CheckedArchive {
  what: string;
  fileName: string | null;
  bytes: number;
  trigger: string | null;
  /** integrity_check of each database in it. */
  integrity: Record<string, string>;
  seconds: number | null;
}

/** Everything the run measured. */
export interface LoadRunResult {
  serverPid: number;
  connections: number;
  load: {
    seconds: number;
    requests: number;
    requestsPerSecond: number;
    /** Connection errors, timeouts included. */
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodes: Record<string, number>;
    latencyMs: { p50: number; p90: number; p99: number; max: number };
  };
  eventLoop: { maxDelayMs: number; p99DelayMs: number };
  memory: { peakRssBytes: number; sampledPeakBytes: number; hwmBytes: number; hwmReset: boolean; serverMaxRssBytes: number };
  /** The scheduled backup job; null when it never appeared. */
  scheduled: CheckedArchive | null;
  downloads: Array<CheckedArchive & { kind: DownloadKind; download: Download | null }>;
  /** How long the load and the scheduled backup ran at the same time (s); null when unknown. */
  overlapSeconds: number | null;
  problems: string[];
  /** The server's last output (LOG_LEVEL=warn: warnings and errors only), for when a problem needs explaining. */
  serverOutput: string;
}

interface Health {
  eventLoop: { maxDelayMs: number; p99DelayMs: number };
  maxRssBytes: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

async function health(server: RunningServer, reset: boolean): Promise<Health> {
  const response = await fetch(`${server.url}/api/health${reset ? '?reset=1' : ''}`, { headers: browserHeaders(server.url) });
  if (response.status !== 200) throw new Error(`/api/health answered ${response.status}`);
  return (await response.json()) as Health;
}

/** The result of a backup job that succeeded. */
function backupResult(job: JobSnapshot) {
  if (job.kind !== 'backup' || !job.result) throw new Error(`job ${job.id} is a ${job.kind} job without a backup result`);
  return job.result;
}

/** autocannon against the two dashboard/settings queries; `stop()` ends it early. */
function startAutocannon(baseUrl: string, connections: number, maxSeconds: number) {
  let stop!: () => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections,
        duration: maxSeconds,
        timeout: 30,
        headers: browserHeaders(baseUrl),
        requests: [
          { method: 'GET', path: '/trpc/backups.list' },
          { method: 'GET', path: '/trpc/dashboard.summary' },
        ],
      },
      (error: unknown, result: autocannon.Result) =>
        error ? reject(error instanceof Error ? error : new Error(`autocannon failed: ${JSON.stringify(error)}`)) : resolve(result),
    );
    stop = () => instance.stop();
  });
  return { done, stop: () => stop() };
}

/** Waits for the schedule's job to appear in `jobs.list`, then for it to end. */
async function watchScheduledJob(client: LockerClient, giveUpAfterMs: number): Promise<JobSnapshot> {
  const deadline = Date.now() + giveUpAfterMs;
  for (;;) {
    const jobs = await client.jobs.list.query();
    const job = jobs.find((candidate) => candidate.kind === 'backup' && candidate.label.startsWith('Scheduled backup'));
    if (job) return waitForJob(client, job.id, { pollMs: 100 });
    if (Date.now() > deadline) throw new Error('no scheduled backup started');
    await sleep(50);
  }
}

async function checkArchive(
  what: string,
  file: string,
  scratchDir: string,
): Promise<{ inspection: ArchiveInspection | null; integrity: Record<string, string>; problems: string[] }> {
  try {
    const inspection = await inspectArchive(file, scratchDir);
    const integrity: Record<string, string> = {};
    const problems: string[] = [];
    for (const [name, check] of Object.entries(inspection.databases)) {
      integrity[name] = check.integrity.join('; ');
      if (integrity[name] !== 'ok') problems.push(`${what}: ${name} integrity_check says ${integrity[name]}`);
    }
    if (!inspection.databases['docsis_history.db']) problems.push(`${what}: no docsis_history.db in it`);
    return { inspection, integrity, problems };
  } catch (error) {
    return {
      inspection: null,
      integrity: {},
      problems: [`${what}: not a valid archive: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
}

/** Runs the scenario against a freshly started server; stops the server whatever happens. */
export async function runLoad(options: LoadRunOptions): Promise<LoadRunResult> {
  const log = options.log ?? (() => undefined);
  const connections = options.connections ?? 50;
  const minSeconds = options.minSeconds ?? 5;
  const maxSeconds = options.maxSeconds ?? 600;
  const kinds = options.downloads ?? ['stored', 'fresh'];
  await fs.mkdir(options.backupDir, { recursive: true });
  await fs.mkdir(options.scratchDir, { recursive: true });

  let server: RunningServer | undefined;
  let cannon: ReturnType<typeof startAutocannon> | undefined;
  try {
    server = await startServer({
      dataDir: options.dataDir,
      backupDir: options.backupDir,
      env: { SCHEDULE_START_DELAY_SECONDS: String(options.scheduleStartDelaySeconds ?? 1) },
    });
    const serverPid = server.process.pid()!;
    const client = createClient(server.url, { headers: browserHeaders(server.url), origin: server.url });
    log(`server pid ${serverPid} on ${server.url}`);

    const manual = await waitForJob(client, (await client.backups.create.mutate()).id, { pollMs: 250 });
    const stored = backupResult(manual);
    log(`Backup now: ${stored.fileName} (${(stored.size / 1e6).toFixed(1)} MB)`);

    await health(server, true);
    const memory = startPeakRssSampler(serverPid);
    const loadStarted = performance.now();
    await client.settings.update.mutate({ backup_enabled: true });
    const loadStartedWall = Date.now();
    const scheduledJob = watchScheduledJob(client, maxSeconds * 1000);
    scheduledJob.catch(() => undefined);
    const downloads = kinds.map((kind, index) => {
      const url = `${server!.url}/api/backups/${kind === 'stored' ? stored.fileName : 'download'}`;
      const file = path.join(options.scratchDir, `download-${index + 1}-${kind}.tar.gz`);
      const download = streamDownload(url, file, options.downloadBytesPerSecond ? { bytesPerSecond: options.downloadBytesPerSecond } : {});
      download.catch(() => undefined);
      return { kind, file, download };
    });
    cannon = startAutocannon(server.url, connections, maxSeconds);
    log(`autocannon: ${connections} connections; schedule on; ${kinds.length} download(s) streaming`);

    const background = Promise.allSettled([scheduledJob, ...downloads.map((entry) => entry.download)]);
    await Promise.race([background.then(() => sleep(Math.max(0, minSeconds * 1000 - (performance.now() - loadStarted)))), cannon.done]);
    cannon.stop();
    const loadResult = await cannon.done;
    const loadEndedAt = performance.now();
    const loadEndedWall = Date.now();
    const after = await health(server, false);
    const peak = memory.stop();
    log(`autocannon stopped after ${((loadEndedAt - loadStarted) / 1000).toFixed(1)} s: ${loadResult.requests.total} requests`);

    // The backup and the downloads must finish even when the load stopped first (maxSeconds).
    await background;
    const problems: string[] = [];
    const statusCodes = Object.fromEntries(
      Object.entries(loadResult.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]),
    );
    if (loadResult.errors > 0) problems.push(`load: ${loadResult.errors} request errors (${loadResult.timeouts} timeouts)`);
    if (loadResult.non2xx > 0) problems.push(`load: ${loadResult.non2xx} answers were not 2xx: ${JSON.stringify(statusCodes)}`);
    if (loadResult.requests.total === 0) problems.push('load: no request was answered');

    let scheduled: CheckedArchive | null = null;
    let overlapSeconds: number | null = null;
    try {
      const job = await scheduledJob;
      const result = backupResult(job);
      const checked = await checkArchive(`scheduled backup ${result.fileName}`, result.path, options.scratchDir);
      problems.push(...checked.problems);
      const trigger = (checked.inspection?.meta.trigger as string | undefined) ?? null;
      if (trigger !== 'scheduled') problems.push(`scheduled backup ${result.fileName}: its meta says trigger ${trigger}`);
      scheduled = {
        what: 'scheduled backup',
        fileName: result.fileName,
        bytes: result.size,
        trigger,
        integrity: checked.integrity,
        seconds: job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : null,
      };
      if (job.startedAt && job.finishedAt) {
        const overlap = Math.min(Date.parse(job.finishedAt), loadEndedWall) - Math.max(Date.parse(job.startedAt), loadStartedWall);
        overlapSeconds = Math.max(0, overlap) / 1000;
      }
    } catch (error) {
      problems.push(`scheduled backup: ${error instanceof Error ? error.message : String(error)}`);
    }

    const checkedDownloads: LoadRunResult['downloads'] = [];
    for (const { kind, file, download } of downloads) {
      const what = `${kind} download`;
      let finished: Download | null = null;
      try {
        finished = await download;
      } catch (error) {
        problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
        checkedDownloads.push({ what, kind, download: null, fileName: null, bytes: 0, trigger: null, integrity: {}, seconds: null });
        continue;
      }
      if (finished.contentLength !== finished.bytes)
        problems.push(`${what}: ${finished.bytes} bytes arrived, Content-Length said ${finished.contentLength}`);
      if (kind === 'stored' && finished.sha256 !== (await fileSha256(stored.path)))
        problems.push(`${what}: differs from ${stored.fileName} on disk`);
      const checked = await checkArchive(`${what} ${finished.fileName}`, file, options.scratchDir);
      problems.push(...checked.problems);
      const trigger = (checked.inspection?.meta.trigger as string | undefined) ?? null;
      const expected = kind === 'stored' ? 'manual' : 'download';
      if (trigger !== expected) problems.push(`${what}: its meta says trigger ${trigger}, not ${expected}`);
      checkedDownloads.push({
        what,
        kind,
        download: finished,
        fileName: finished.fileName,
        bytes: finished.bytes,
        trigger,
        integrity: checked.integrity,
        seconds: finished.seconds,
      });
      await fs.rm(file, { force: true });
    }

    const latency = loadResult.latency as autocannon.Histogram & { p99: number };
    return {
      serverPid,
      connections,
      load: {
        seconds: (loadEndedAt - loadStarted) / 1000,
        requests: loadResult.requests.total,
        requestsPerSecond: loadResult.requests.average,
        errors: loadResult.errors,
        timeouts: loadResult.timeouts,
        non2xx: loadResult.non2xx,
        statusCodes,
        latencyMs: { p50: latency.p50, p90: latency.p90, p99: latency.p99, max: latency.max },
      },
      eventLoop: after.eventLoop,
      memory: { ...peak, hwmReset: memory.hwmReset, serverMaxRssBytes: after.maxRssBytes },
      scheduled,
      downloads: checkedDownloads,
      overlapSeconds,
      problems,
      serverOutput: server.output().slice(-8000),
    };
  } catch (error) {
    // What the server logged (warnings and errors) usually says why.
    if (server && error instanceof Error) error.message += `\nserver output:\n${server.output().slice(-4000)}`;
    throw error;
  } finally {
    cannon?.stop();
    await server?.stop(10_000);
  }
}
