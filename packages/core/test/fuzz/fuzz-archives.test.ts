/**
 * Seeded mutation fuzzer over real archives (DOCSight's fixtures and our own createBackup output):
 * every mutated archive must end, in validateArchive and in restoreBackup, either in a LockerError
 * with a specific code or in a correct restore (run-fuzz-case.ts lists the properties).
 *
 * Environment: FUZZ_SEED (default 20261126), FUZZ_CASES (default 200; `pnpm fuzz` runs 10,000),
 * FUZZ_CASE=<index> to replay one case, FUZZ_CASE_TIMEOUT_MS (default 30,000), FUZZ_CONCURRENCY
 * (cases in flight at once, default 2: a case waits on the thread pool and the SQLite worker much of
 * its time), FUZZ_RESTORE_REFUSED (share of the cases validate refuses that are restored as well,
 * default 1; cases validate accepts are always restored), FUZZ_REPORT=<file> to write the outcome
 * counts as JSON. Every failure names the seed, the case and the mutation.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopSqliteWorker } from '../../src/index.ts';
import { buildFuzzWorld, type FuzzWorld } from './build-fuzz-world.ts';
import { mutateArchive } from './mutate-archive.ts';
import { forCase } from './prng.ts';
import { runFuzzCase } from './run-fuzz-case.ts';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261126);
const CASES = Number(process.env['FUZZ_CASES'] ?? 200);
const ONLY = process.env['FUZZ_CASE'];
const TIMEOUT_MS = Number(process.env['FUZZ_CASE_TIMEOUT_MS'] ?? 30_000);
const CONCURRENCY = Number(process.env['FUZZ_CONCURRENCY'] ?? 2);
const RESTORE_REFUSED = Number(process.env['FUZZ_RESTORE_REFUSED'] ?? 1);
const BATCH = 200;
/** Most cases on our small archives; fewer on DOCSight's, whose databases inflate to 30-40 MB. */
const WEIGHTS = { 'own-4m': 45, 'own-16k': 43, 'docsight-demo': 7, 'docsight-real': 5 };

const indexes = ONLY === undefined ? Array.from({ length: CASES }, (_, i) => i) : [Number(ONLY)];
const batches: number[][] = [];
for (let at = 0; at < indexes.length; at += BATCH) batches.push(indexes.slice(at, at + BATCH));

let world: FuzzWorld;
const started = performance.now();
/** outcome → count, and source → outcome → count, for the summary. */
const outcomes = new Map<string, number>();
const bySource = new Map<string, Map<string, number>>();
const byKind = new Map<string, Map<string, number>>();
/** Cases where validate and restore refused naming different problems (STREAM_CODES, run-fuzz-case.ts). */
let codeRaces = 0;
/** Cases that ran restoreBackup too. */
let restores = 0;
/** Wall time spent per source (cases overlap when CONCURRENCY > 1). */
const msBySource = new Map<string, number>();

function count(table: Map<string, Map<string, number>>, row: string, column: string): void {
  const counts = table.get(row) ?? new Map<string, number>();
  counts.set(column, (counts.get(column) ?? 0) + 1);
  table.set(row, counts);
}

beforeAll(async () => {
  world = await buildFuzzWorld(WEIGHTS);
  for (const source of world.sources)
    console.log(
      `fuzz source ${source.label}: ${source.bytes.length} bytes, sha256 ${source.sha256.slice(0, 16)}, ${source.members.length} gzip members`,
    );
}, 300_000);

afterAll(async () => {
  world?.cleanup();
  await stopSqliteWorker();
  const summary = {
    seed: SEED,
    cases: [...outcomes.values()].reduce((sum, n) => sum + n, 0),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    restores,
    codeRaces,
    outcomes: Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])),
    bySource: Object.fromEntries([...bySource].map(([k, v]) => [k, Object.fromEntries(v)])),
    msPerCaseBySource: Object.fromEntries(
      [...msBySource].map(([k, ms]) => [
        k,
        Math.round(
          ms /
            Math.max(
              1,
              [...(bySource.get(k)?.values() ?? [])].reduce((a, b) => a + b, 0),
            ),
        ),
      ]),
    ),
    byKind: Object.fromEntries([...byKind].map(([k, v]) => [k, Object.fromEntries(v)])),
  };
  console.log(`fuzz summary: ${JSON.stringify(summary, null, 1)}`);
  if (process.env['FUZZ_REPORT'] !== undefined) fs.writeFileSync(process.env['FUZZ_REPORT'], JSON.stringify(summary, null, 2));
});

/** Runs case `index`; returns its failure message (seed, case, mutation, replay command) or undefined. */
async function runCase(index: number): Promise<string | undefined> {
  const prng = forCase(SEED, index);
  const source = prng.weighted(world.sources.map((s) => [s, s.weight] as const));
  const replay = `FUZZ_SEED=${SEED} FUZZ_CASE=${index} pnpm --filter @evidence-locker/core exec vitest run test/fuzz/fuzz-archives.test.ts`;
  let description = '(mutation not made)';
  const caseStarted = performance.now();
  try {
    const mutation = await mutateArchive(source, prng);
    description = mutation.description;
    const report = await runFuzzCase(world, source, mutation, prng, index, { timeoutMs: TIMEOUT_MS, restoreRefused: RESTORE_REFUSED });
    if (report.restored) restores += 1;
    outcomes.set(report.outcome, (outcomes.get(report.outcome) ?? 0) + 1);
    count(bySource, source.label, report.outcome);
    count(byKind, mutation.kind, report.outcome.startsWith('refused') ? 'refused' : report.outcome);
    if (report.codeRace) codeRaces += 1;
    msBySource.set(source.label, (msBySource.get(source.label) ?? 0) + performance.now() - caseStarted);
    if (report.problems.length === 0) return undefined;
    return `seed=${SEED} case=${index} source=${source.label} ${description} (${report.delivery}):\n  ${report.problems.join('\n  ')}\n  replay: ${replay}`;
  } catch (error) {
    return `seed=${SEED} case=${index} source=${source.label} ${description}: the harness failed: ${String(error)}\n  replay: ${replay}`;
  }
}

describe(`archive mutation fuzzer (seed ${SEED})`, () => {
  for (const batch of batches) {
    const title = batch.length === 1 ? `case ${batch[0]}` : `cases ${batch[0]}-${batch[batch.length - 1]}`;
    it(
      `${title} end in a LockerError with a code or in a correct restore`,
      async () => {
        const failures: string[] = [];
        const queue = [...batch];
        const worker = async (): Promise<void> => {
          for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
            const failure = await runCase(index);
            if (failure !== undefined) failures.push(failure);
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        expect(failures.sort().join('\n\n')).toBe('');
      },
      batch.length * 10_000 + 60_000,
    );
  }
});
