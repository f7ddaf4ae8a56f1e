/**
 * Benchmark of createBackup on a real data directory.
 *
 *   cd packages/core && node --import tsx ../../bench/create-backup.bench.ts <dataDir> [--compare]
 *     [--levels=8,7] [--concurrency=2] [--chunk-kib=4096]
 *
 * Prints wall time per phase, archive size, peak RSS (process.resourceUsage().maxRSS, which covers
 * the snapshot worker thread) and the worst event-loop delay seen during the run. With --compare it
 * also decompresses the archive and recompresses the same tar with `gzip -9` (DOCSight's level) to
 * show the size difference. The data directory is only read; the archive goes to a temp dir.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createBackup, type BackupPhase } from '@evidence-locker/core';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: create-backup.bench.ts <dataDir> [--compare]');
const compare = process.argv.includes('--compare');
const flag = (name: string): string | undefined => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const levels = flag('levels')?.split(',').map(Number);
const concurrency = flag('concurrency') === undefined ? undefined : Number(flag('concurrency'));
const chunkSize = flag('chunk-kib') === undefined ? undefined : Number(flag('chunk-kib')) * 1024;
const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-bench-'));
const delay = monitorEventLoopDelay({ resolution: 10 });
const phaseStart = new Map<BackupPhase, number>();
const rssAtPhase: string[] = [];
console.log(`peak RSS before: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
const start = performance.now();
delay.enable();
try {
  const result = await createBackup({
    dataDir,
    destination: { kind: 'directory', backupDir },
    trigger: 'manual',
    gzip: { ...(levels ? { levels } : {}), ...(concurrency ? { concurrency } : {}), ...(chunkSize ? { chunkSize } : {}) },
    onProgress: (progress) => {
      if (!phaseStart.has(progress.phase)) {
        phaseStart.set(progress.phase, performance.now() - start);
        rssAtPhase.push(
          `${progress.phase}: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (now ${(process.memoryUsage.rss() / 1e6 / 1.048576).toFixed(0)} MB, external ${(process.memoryUsage().external / 1048576).toFixed(0)} MB)`,
        );
      }
    },
  });
  const total = performance.now() - start;
  delay.disable();
  const phases = [...phaseStart].map(([phase, at]) => `${phase}@${(at / 1000).toFixed(2)}s`).join(' ');
  console.log(`create: ${(total / 1000).toFixed(2)} s (${phases})`);
  console.log(`archive: ${result.size} bytes (${(result.size / 1e6).toFixed(1)} MB), demo rows removed ${result.demoRowsRemoved}`);
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB (peak so far at phase start: ${rssAtPhase.join(', ')})`);
  console.log(`CPU: ${(process.cpuUsage().user / 1e6).toFixed(1)} s user, ${(process.cpuUsage().system / 1e6).toFixed(1)} s system`);
  console.log(`event loop delay: max ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`);
  if (compare) {
    const gzip9 = execFileSync('sh', ['-c', `gzip -dc "${result.path}" | gzip -9 | wc -c`])
      .toString()
      .trim();
    const ratio = (result.size / Number(gzip9) - 1) * 100;
    console.log(`gzip -9 of the same tar: ${gzip9} bytes; ours is ${ratio.toFixed(1)} % larger`);
  }
} finally {
  fs.rmSync(backupDir, { recursive: true, force: true });
}
