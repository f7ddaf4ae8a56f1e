/**
 * The mutation fuzzer over sealed archives (issue 17): the fuzz world's archives sealed with age (for
 * an X25519 recipient, or with a passphrase at work factor 10), mutated as sealed-mutations.ts says,
 * then validated and restored with the key over a live instance by run-fuzz-case.ts. Every case ends
 * in a LockerError with a declared code (a SEAL_ code whenever the sealed bytes were changed) or in a
 * restore equal to the original (or, for a sealed plain mutation, to Python's reading of it), never
 * in another error, a hang, or a changed live data dir.
 *
 * Environment: FUZZ_SEED (default 20261126), FUZZ_SEALED_CASES (default 120, or a quarter of
 * FUZZ_CASES when that is set, as `pnpm fuzz` does), FUZZ_CASE=<index> to replay one case,
 * FUZZ_CASE_TIMEOUT_MS, FUZZ_CONCURRENCY and FUZZ_RESTORE_REFUSED as fuzz-archives.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSealIdentity, stopSqliteWorker } from '../../src/index.ts';
import { buildFuzzWorld, type FuzzWorld } from './build-fuzz-world.ts';
import { forCase } from './prng.ts';
import { runFuzzCase } from './run-fuzz-case.ts';
import { mutateSealedArchive, opensTo, sealBuffer, type SealedSource } from './sealed-mutations.ts';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261126);
const CASES = Number(
  process.env['FUZZ_SEALED_CASES'] ?? (process.env['FUZZ_CASES'] === undefined ? 120 : Number(process.env['FUZZ_CASES']) / 4),
);
const ONLY = process.env['FUZZ_CASE'];
const TIMEOUT_MS = Number(process.env['FUZZ_CASE_TIMEOUT_MS'] ?? 30_000);
const CONCURRENCY = Number(process.env['FUZZ_CONCURRENCY'] ?? 2);
const RESTORE_REFUSED = Number(process.env['FUZZ_RESTORE_REFUSED'] ?? 1);
const BATCH = 100;
/** Our small archives mostly (several 64 KiB chunks each); DOCSight's demo archive now and then. */
const WEIGHTS = { 'own-4m': 45, 'own-16k': 40, 'docsight-demo': 15 };
const PASSPHRASE = 'fuzz-Owl-7-marble-Harbor';
const AGE_MAGIC = Buffer.from('age-encryption.org/v1\n');

const indexes = ONLY === undefined ? Array.from({ length: CASES }, (_, i) => i) : [Number(ONLY)];
const batches: number[][] = [];
for (let at = 0; at < indexes.length; at += BATCH) batches.push(indexes.slice(at, at + BATCH));

let world: FuzzWorld;
const sealedSources: SealedSource[] = [];
const started = performance.now();
const outcomes = new Map<string, number>();
const byKind = new Map<string, Map<string, number>>();

beforeAll(async () => {
  world = await buildFuzzWorld(WEIGHTS);
  const owner = await generateSealIdentity();
  const stranger = await generateSealIdentity();
  for (const plain of world.sources) {
    const kinds = [
      {
        label: 'identity',
        seal: { recipients: [owner.recipient] },
        open: { identities: [owner.identity] },
        stranger: { seal: { recipients: [stranger.recipient] } },
      },
      {
        label: 'passphrase',
        seal: { passphrase: PASSPHRASE, workFactor: 10 },
        open: { passphrase: PASSPHRASE },
        stranger: { seal: { passphrase: `${PASSPHRASE}!`, workFactor: 10 } },
      },
    ];
    for (const kind of kinds) {
      const bytes = await sealBuffer(plain.bytes, kind.seal);
      // The unmutated sealing opens to the plain archive: every difference below is the mutation's.
      expect(await opensTo(bytes, kind.open, plain.bytes)).toBe(true);
      sealedSources.push({ plain, bytes, ...kind });
    }
    console.log(`sealed fuzz source ${plain.label}: ${plain.bytes.length} bytes plain, ${Math.ceil(plain.bytes.length / 65536)} chunks`);
  }
}, 300_000);

afterAll(async () => {
  world?.cleanup();
  await stopSqliteWorker();
  const summary = {
    seed: SEED,
    cases: [...outcomes.values()].reduce((sum, n) => sum + n, 0),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    outcomes: Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])),
    byKind: Object.fromEntries([...byKind].map(([k, v]) => [k, Object.fromEntries(v)])),
  };
  console.log(`sealed fuzz summary: ${JSON.stringify(summary, null, 1)}`);
});

async function runCase(index: number): Promise<string | undefined> {
  const prng = forCase(SEED, index).fork('sealed');
  const source = prng.weighted(sealedSources.map((s) => [s, s.plain.weight] as const));
  const replay = `FUZZ_SEED=${SEED} FUZZ_CASE=${index} pnpm --filter @evidence-locker/core exec vitest run test/fuzz/fuzz-sealed-archives.test.ts`;
  let description = '(mutation not made)';
  try {
    const mutation = await mutateSealedArchive(source, prng);
    description = mutation.description;
    // A stream without a name promises nothing: what no longer begins as an age file is read as a
    // plain archive, and it is not gzip either (sealed-input.ts).
    const expectSealed = prng.chance(0.8);
    if (!expectSealed && mutation.refuseWith !== undefined && !mutation.bytes.subarray(0, 22).equals(AGE_MAGIC)) {
      mutation.refuseWith = /^(SEAL_.*|ARCHIVE_NOT_GZIP|ARCHIVE_EMPTY)$/;
    }
    const report = await runFuzzCase(world, source.plain, mutation, prng, index, {
      timeoutMs: TIMEOUT_MS,
      restoreRefused: RESTORE_REFUSED,
      seal: { key: source.open, expect: expectSealed ? 'sealed' : 'any' },
    });
    outcomes.set(report.outcome, (outcomes.get(report.outcome) ?? 0) + 1);
    const counts = byKind.get(mutation.kind) ?? new Map<string, number>();
    const column = report.outcome.startsWith('refused:SEAL_')
      ? report.outcome.slice(8)
      : report.outcome.startsWith('refused')
        ? 'refused'
        : report.outcome;
    counts.set(column, (counts.get(column) ?? 0) + 1);
    byKind.set(mutation.kind, counts);
    if (report.problems.length === 0) return undefined;
    return `seed=${SEED} case=${index} source=${source.plain.label}/${source.label} ${description} (${report.delivery}):\n  ${report.problems.join('\n  ')}\n  replay: ${replay}`;
  } catch (error) {
    return `seed=${SEED} case=${index} source=${source.plain.label}/${source.label} ${description}: the harness failed: ${String(error)}\n  replay: ${replay}`;
  }
}

describe(`sealed archive mutation fuzzer (seed ${SEED})`, () => {
  for (const batch of batches) {
    const title = batch.length === 1 ? `case ${batch[0]}` : `cases ${batch[0]}-${batch[batch.length - 1]}`;
    it(
      `${title} end in a LockerError with a declared code or in a correct restore`,
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
