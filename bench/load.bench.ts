/**
 * Load benchmark of the running server while it does long work: a scheduled backup of a 1 GB data
 * directory runs and two downloads stream (a stored backup and a fresh one) while autocannon sends
 * the settings page's `backups.list` and the dashboard's `dashboard.summary` tRPC queries over 50
 * keep-alive connections. The scenario is reliability/src/load/load-run.ts (also behind
 * reliability/test/load.test.ts, on a small data directory).
 *
 *   pnpm bench:load [-- [--connections=50] [--min-seconds=10] [--max-seconds=600]
 *     [--downloads=stored,fresh] [DATA_DIR]]
 *   tsx bench/load.bench.ts …   (after building apps/web and apps/server)
 *
 * DATA_DIR defaults to /tmp/bench/one-gb (a configured instance without admin password, made with
 * `pnpm locker seed --data-dir /tmp/bench/one-gb --months 27 --configured`). It is only read: the
 * server runs on a `cp -r` copy in a temp dir with its own temp BACKUP_DIR, removed at the end.
 *
 * The built server starts as `pnpm start` runs it (`startServer` of @evidence-locker/harness, with the
 * node settings of apps/server/bin/node-settings.sh), with SCHEDULE_START_DELAY_SECONDS=1 and the schedule off; "Backup now" makes the archive to
 * download; then, measured: the schedule is switched on (the overdue scheduled backup starts a second
 * later), the downloads and autocannon start, and autocannon runs until the backup and the downloads
 * have ended (at least --min-seconds). Printed:
 *   - requests, requests/s, errors and timeouts, non-2xx answers, latency p50/p90/p99/max;
 *   - the server's worst and p99 event-loop delay over the load (`/api/health?reset=1` before,
 *     `/api/health` after);
 *   - the server's peak RSS, worker threads included: VmHWM after writing 5 to
 *     /proc/<pid>/clear_refs, and VmRSS sampled every 100 ms, whichever is higher (target < 200 MB);
 *   - the scheduled backup and each download with size, time and the integrity check of its databases.
 * Requests carry a browser's headers (Referer, Sec-Fetch-Site: same-origin; Origin on POST), so the
 * origin guard sees what the web app sends. Exits non-zero when a request fails or is answered
 * non-2xx, or the backup or a download fails or is not a sound archive; not when a target is missed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt } from '@evidence-locker/harness';
import { runLoad, type DownloadKind } from '@evidence-locker/reliability/load';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const connections = Number(flag('connections') ?? 50);
const minSeconds = Number(flag('min-seconds') ?? 10);
const maxSeconds = Number(flag('max-seconds') ?? 600);
const downloads = (flag('downloads') ?? 'stored,fresh').split(',').filter(Boolean) as DownloadKind[];
const sourceDataDir = args.find((arg) => !arg.startsWith('--')) ?? '/tmp/bench/one-gb';
const TARGET_RSS_MB = 200;
const MB = 1024 * 1024;
const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

function printRows(rows: string[][]) {
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => String(row[column]).length)));
  for (const row of rows)
    console.log(`  ${String(row[0]).padEnd(widths[0]!)}  ${String(row[1]).padEnd(widths[1]!)}  ${row[2] ?? ''}`.trimEnd());
}

async function main() {
  assertBuilt({ webApp: true });
  if (!fs.existsSync(path.join(sourceDataDir, 'docsis_history.db'))) {
    throw new Error(`${sourceDataDir} has no docsis_history.db: pnpm locker seed --data-dir ${sourceDataDir} --months 27 --configured`);
  }
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'el-load-bench-'));
  try {
    const dataDir = path.join(tempRoot, 'data');
    execFileSync('cp', ['-r', sourceDataDir, dataDir]);
    const dbMb = fs.statSync(path.join(dataDir, 'docsis_history.db')).size / 1e6;
    console.log(
      `data: copy of ${sourceDataDir}, docsis_history.db ${dbMb.toFixed(0)} MB; node ${process.version}; load ${load()} on ${os.availableParallelism()} CPUs`,
    );
    const started = performance.now();
    const result = await runLoad({
      dataDir,
      backupDir: path.join(tempRoot, 'backups'),
      scratchDir: path.join(tempRoot, 'scratch'),
      connections,
      minSeconds,
      maxSeconds,
      downloads,
      log: (line: string) => console.error(`  [${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`),
    });

    const { load: requests, eventLoop, memory } = result;
    const peakMb = memory.peakRssBytes / MB;
    console.log('');
    console.log(
      `autocannon, ${result.connections} connections, GET /trpc/backups.list and /trpc/dashboard.summary, ${requests.seconds.toFixed(1)} s:`,
    );
    printRows([
      ['requests', `${requests.requests} (${requests.requestsPerSecond.toFixed(0)}/s)`],
      ['errors', `${requests.errors} (timeouts ${requests.timeouts})`],
      ['non-2xx', `${requests.non2xx}`, `status codes ${JSON.stringify(requests.statusCodes)}`],
      ['latency p50', `${requests.latencyMs.p50} ms`],
      ['latency p90', `${requests.latencyMs.p90} ms`],
      ['latency p99', `${requests.latencyMs.p99} ms`],
      ['latency max', `${requests.latencyMs.max} ms`],
    ]);
    console.log('server over the same time:');
    printRows([
      [
        'event loop worst delay',
        `${eventLoop.maxDelayMs.toFixed(1)} ms`,
        `(p99 ${eventLoop.p99DelayMs.toFixed(1)} ms; /api/health?reset=1 before, /api/health after)`,
      ],
      [
        'peak RSS',
        `${peakMb.toFixed(0)} MB${memory.hwmReset ? '' : '*'}`,
        `(VmHWM ${(memory.hwmBytes / MB).toFixed(0)} MB, sampled VmRSS ${(memory.sampledPeakBytes / MB).toFixed(0)} MB; since start ${(memory.serverMaxRssBytes / MB).toFixed(0)} MB)`,
      ],
    ]);
    if (!memory.hwmReset) console.log('  *: /proc/<pid>/clear_refs not writable; VmHWM is the peak since the server started');
    console.log('work during the load:');
    const work: string[][] = [];
    if (result.scheduled) {
      const { scheduled } = result;
      work.push([
        'scheduled backup',
        String(scheduled.fileName),
        `${(scheduled.bytes / 1e6).toFixed(0)} MB in ${scheduled.seconds?.toFixed(1) ?? '?'} s, integrity ${JSON.stringify(scheduled.integrity)}; ran ${result.overlapSeconds?.toFixed(1) ?? '?'} s under load`,
      ]);
    } else work.push(['scheduled backup', 'FAILED']);
    for (const download of result.downloads) {
      work.push([
        `${download.kind} download`,
        download.fileName ?? 'FAILED',
        download.download
          ? `${(download.bytes / 1e6).toFixed(0)} MB in ${download.download.seconds.toFixed(1)} s (first byte after ${download.download.secondsToHeaders.toFixed(1)} s), integrity ${JSON.stringify(download.integrity)}`
          : '',
      ]);
    }
    printRows(work);
    console.log(
      `targets: peak RSS < ${TARGET_RSS_MB} MB: ${peakMb < TARGET_RSS_MB ? 'met' : 'MISSED'} (${peakMb.toFixed(0)} MB); errors and non-2xx = 0: ${requests.errors + requests.non2xx === 0 ? 'met' : 'MISSED'}`,
    );
    // Other work on the machine starves the server of CPU and shows up as latency and loop delay.
    console.log(`load average at the end: ${load()} on ${os.availableParallelism()} CPUs`);
    if (result.problems.length > 0) {
      console.log(`\nPROBLEMS (${result.problems.length}):`);
      for (const problem of result.problems) console.log(`  - ${problem}`);
      if (result.serverOutput) console.log(`server output (warnings and errors):\n${result.serverOutput}`);
      process.exitCode = 1;
    }
  } finally {
    fs.rmSync(tempRoot, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
