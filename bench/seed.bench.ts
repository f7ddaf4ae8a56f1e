/**
 * Benchmark of seedDataDir: how long a demo or user data directory takes to generate, and how big
 * it gets.
 *
 *   cd packages/core && node --import tsx ../../bench/seed.bench.ts <demo|user> [--months=9]
 *     [--dir=/tmp/x] [--seed=1] [--cm-days=7] [--keep]
 *
 * Prints wall time per phase, row counts, file sizes and peak RSS. Without --dir the data
 * directory goes to a temp dir, removed at the end unless --keep is given (then its path is printed,
 * e.g. to feed create-backup.bench.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedDataDir, type SeedProgress } from '@evidence-locker/core';

const mode = process.argv[2];
if (mode !== 'demo' && mode !== 'user') throw new Error('usage: seed.bench.ts <demo|user> [--months=9] [--dir=...] [--keep]');
const flag = (name: string): string | undefined => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const keep = process.argv.includes('--keep');
const dataDir = flag('dir') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'el-seed-bench-'));
const start = performance.now();
const phaseStart = new Map<SeedProgress['phase'], number>();
const summary = seedDataDir({
  dataDir,
  mode,
  ...(flag('months') ? { months: Number(flag('months')) } : {}),
  ...(flag('seed') ? { seed: Number(flag('seed')) } : {}),
  ...(flag('cm-days') ? { connectionMonitorDays: Number(flag('cm-days')) } : {}),
  onProgress: (progress) => {
    if (!phaseStart.has(progress.phase)) phaseStart.set(progress.phase, performance.now());
  },
});
const phases = [...phaseStart.entries()];
phases.forEach(([phase, at], i) => {
  const end = phases[i + 1]?.[1] ?? performance.now();
  console.log(`${phase.padEnd(20)} from ${((at - start) / 1000).toFixed(1)} s, ${((end - at) / 1000).toFixed(1)} s`);
});
console.log(JSON.stringify(summary.rows, null, 1));
for (const [file, bytes] of Object.entries(summary.files)) console.log(`${file.padEnd(24)} ${(bytes / 1e6).toFixed(1)} MB`);
console.log(
  `total ${summary.seconds} s over ${summary.historyDays.toFixed(1)} days; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
);
if (keep || flag('dir')) console.log(`data dir: ${dataDir}`);
else fs.rmSync(dataDir, { recursive: true, force: true });
