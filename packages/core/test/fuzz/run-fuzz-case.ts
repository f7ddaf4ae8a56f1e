/**
 * One fuzz case: validateArchive and restoreBackup of one mutated archive, each with a time limit,
 * the restore over a copy of the live template inside its own sandbox dir, then every property:
 * - each call ends in a LockerError or a result, never another error, never a hang;
 * - validate and restore agree: a code from validate is the restore's code too (or, when one of
 *   them is a problem of the stream itself, another code: STREAM_CODES); a restore refuses an archive
 *   validate accepts only for what validate cannot see (database, config, no data);
 * - a broken gzip trailer or method is refused;
 * - refused: the data dir is byte-identical to the template, no staging file left;
 * - restored: the data dir equals the baseline, or for an archive without `members` digests,
 *   holds exactly the data files Python's tarfile extracts (reference-data-files.ts);
 * - nothing in the sandbox outside the data dir changes.
 * A share of the cases validate refuses skip the restore (CaseOptions.restoreRefused), so long runs
 * spend their time where a restore can still go wrong.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DATA_FILES } from '../../src/data-dir-layout.ts';
import { LOCKER_ERROR_CODES } from '../../src/codes.ts';
import { LockerError, restoreBackup, validateArchive, type RestoreResult, type SealedInputOptions } from '../../src/index.ts';
import { snapshotDir } from '../support/restore-support.ts';
import type { FuzzSource, FuzzWorld } from './build-fuzz-world.ts';
import type { Mutation } from './mutation-kind.ts';
import type { Prng } from './prng.ts';
import { referenceDataFiles } from './reference-data-files.ts';

/** Codes a restore may add to an archive validate accepts: only the restore looks inside. */
const CONTENT_CODES = new Set(['DATABASE_CORRUPT', 'CONFIG_INVALID', 'ARCHIVE_NO_DATA']);
/**
 * Problems of the stream itself (zlib, tar framing, the overhead cap). The reader finds them while
 * the member rules still work on an earlier entry, and whichever reports first wins: a restore's
 * slower sink lets the stream run further ahead than a validate's. So when one of the two codes is
 * one of these, validate and restore may name different problems; both still refuse.
 */
const STREAM_CODES = new Set(['ARCHIVE_CORRUPT', 'ARCHIVE_TRUNCATED', 'ARCHIVE_INVALID_TAR', 'ARCHIVE_TOO_LARGE']);
const OUTSIDE_FILE = 'outside.txt';

export interface CaseReport {
  /** `restored`, or `refused:<code>` (`error`/`hang` when a property already failed). */
  outcome: string;
  delivery: string;
  problems: string[];
  /** Validate and restore refused with different codes, one a stream problem (allowed, counted). */
  codeRace: boolean;
  /** Whether the restore ran (see CaseOptions.restoreRefused). */
  restored: boolean;
}

type Settled<T> = { kind: 'ok'; value: T } | { kind: 'error'; error: unknown } | { kind: 'hang' };

async function settle<T>(promise: Promise<T>, timeoutMs: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled<T>>((resolve) => (timer = setTimeout(() => resolve({ kind: 'hang' }), timeoutMs)));
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ kind: 'ok' as const, value }),
        (error: unknown) => ({ kind: 'error' as const, error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function outcomeText(settled: Settled<unknown>): string {
  if (settled.kind === 'ok') return 'ok';
  if (settled.kind === 'hang') return 'hang';
  const { error } = settled;
  return error instanceof LockerError
    ? error.code
    : `non-LockerError ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

/** Keys whose values differ between two snapshots, for messages. */
function snapshotDiff(actual: Record<string, string>, expected: Record<string, string>): string {
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  const differing = [...keys].filter((key) => actual[key] !== expected[key]);
  return differing
    .map((key) => `${key}: ${actual[key]?.slice(0, 8) ?? 'missing'} (want ${expected[key]?.slice(0, 8) ?? 'missing'})`)
    .join('; ');
}

function equalSnapshots(a: Record<string, string>, b: Record<string, string>): boolean {
  return snapshotDiff(a, b) === '';
}

/** What a correct restore of an archive without digests gives, by Python's reading of it. */
function referenceSnapshot(world: FuzzWorld, source: FuzzSource, bytes: Buffer): Record<string, string> | string {
  const view = referenceDataFiles(bytes, world.root);
  if ('error' in view) return `Python's tarfile cannot read it (${view.error})`;
  const expected = Object.fromEntries(Object.entries(source.baseline).filter(([key]) => !(DATA_FILES as readonly string[]).includes(key)));
  return { ...expected, ...view.files };
}

export interface CaseOptions {
  timeoutMs: number;
  /** Share of the cases validate refuses that are restored too (the rest skip the restore). */
  restoreRefused: number;
  /** How validate and restore open a sealed archive (the sealed fuzz run). */
  seal?: SealedInputOptions;
}

/** Runs case `index` and returns its outcome and every property it broke. */
export async function runFuzzCase(
  world: FuzzWorld,
  source: FuzzSource,
  mutation: Mutation,
  prng: Prng,
  index: number,
  options: CaseOptions,
): Promise<CaseReport> {
  const { timeoutMs } = options;
  const chunk = prng.chance(0.5) ? 0 : prng.pick([512, 4096, 65_536, prng.int(1000, 300_000)]);
  const parallelInflate = prng.chance(0.5);
  const restoreIfRefused = prng.chance(options.restoreRefused);
  const delivery = `${chunk === 0 ? 'buffer' : `stream of ${chunk}-byte chunks`}, parallelInflate ${parallelInflate}`;
  const input = (): Buffer | Readable => {
    if (chunk === 0) return mutation.bytes;
    const pieces: Buffer[] = [];
    for (let at = 0; at < mutation.bytes.length; at += chunk) pieces.push(mutation.bytes.subarray(at, at + chunk));
    return Readable.from(pieces);
  };
  const seal = options.seal === undefined ? {} : { seal: options.seal };
  const validated = await settle(validateArchive(input(), { parallelInflate, ...seal }), timeoutMs);
  const v = outcomeText(validated);
  const problems: string[] = [];
  if (validated.kind === 'hang') problems.push(`validateArchive did not settle within ${timeoutMs} ms`);
  if (validated.kind === 'error' && !(validated.error instanceof LockerError)) problems.push(`validateArchive threw ${v}`);
  if (mutation.mustRefuse === true && validated.kind === 'ok') problems.push('validate accepted an archive it must refuse');
  problems.push(...codeProblems('validateArchive', validated, mutation));
  if (validated.kind === 'error' && !restoreIfRefused && problems.length === 0) {
    return { outcome: `refused:${v}`, delivery: `${delivery}, restore skipped`, problems, codeRace: false, restored: false };
  }

  const sandbox = path.join(world.root, `case-${index}`);
  const dataDir = path.join(sandbox, 'data');
  fs.mkdirSync(sandbox);
  fs.cpSync(world.template, dataDir, { recursive: true });
  fs.writeFileSync(path.join(sandbox, OUTSIDE_FILE), `case ${index}`);
  try {
    const restored = await settle<RestoreResult>(
      restoreBackup({ source: input(), dataDir, parallelInflate, migrate: async () => undefined, ...seal }),
      timeoutMs,
    );
    const r = outcomeText(restored);
    if (restored.kind === 'hang') problems.push(`restoreBackup did not settle within ${timeoutMs} ms`);
    if (restored.kind === 'error' && !(restored.error instanceof LockerError)) problems.push(`restoreBackup threw ${r}`);
    const codeRace = validated.kind === 'error' && restored.kind === 'error' && r !== v && (STREAM_CODES.has(r) || STREAM_CODES.has(v));
    if (validated.kind === 'error' && r !== v && !codeRace) problems.push(`validate refused with ${v} but restore gave ${r}`);
    if (validated.kind === 'ok' && restored.kind === 'error' && !CONTENT_CODES.has(r))
      problems.push(`validate accepted but restore refused with ${r}`);
    if (mutation.mustRefuse === true && restored.kind === 'ok') problems.push('restore accepted an archive it must refuse');
    problems.push(...codeProblems('restoreBackup', restored, mutation));
    problems.push(...checkDataDir(world, source, mutation, dataDir, restored));
    // The data dir is the sandbox's only directory, so its top level is all there is outside it.
    const outside = fs.readdirSync(sandbox).filter((name) => name !== 'data');
    if (outside.join() !== OUTSIDE_FILE || fs.readFileSync(path.join(sandbox, OUTSIDE_FILE), 'utf8') !== `case ${index}`) {
      problems.push(`the sandbox changed outside the data dir: ${outside.join(', ')}`);
    }
    const broken = v.startsWith('non') || r.startsWith('non') || r === 'hang';
    const outcome = problems.length > 0 && broken ? r : restored.kind === 'ok' ? 'restored' : `refused:${r}`;
    return { outcome, delivery, problems, codeRace, restored: true };
  } finally {
    fs.rmSync(sandbox, { recursive: true, force: true });
  }
}

/** A refusal's code must be one the engine declares, and the one the mutation asks for. */
function codeProblems(call: string, settled: Settled<unknown>, mutation: Mutation): string[] {
  if (settled.kind !== 'error' || !(settled.error instanceof LockerError)) return [];
  const { code } = settled.error;
  const problems: string[] = [];
  if (!(LOCKER_ERROR_CODES as readonly string[]).includes(code)) problems.push(`${call} refused with an undeclared code ${code}`);
  if (mutation.refuseWith !== undefined && !mutation.refuseWith.test(code)) {
    problems.push(`${call} refused with ${code}, not a code matching ${String(mutation.refuseWith)}`);
  }
  return problems;
}

/** The data dir after the restore: untouched when refused, the expected instance when restored. */
function checkDataDir(
  world: FuzzWorld,
  source: FuzzSource,
  mutation: Mutation,
  dataDir: string,
  restored: Settled<RestoreResult>,
): string[] {
  const problems: string[] = [];
  const after = snapshotDir(dataDir);
  const leftovers = Object.keys(after).filter((name) => path.basename(name).startsWith('.evidence-locker-'));
  if (leftovers.length > 0) problems.push(`work files left in the data dir: ${leftovers.join(', ')}`);
  if (restored.kind === 'error' && !equalSnapshots(after, world.templateSnapshot)) {
    problems.push(`data dir changed although the restore was refused: ${snapshotDiff(after, world.templateSnapshot)}`);
  }
  if (restored.kind === 'ok' && !equalSnapshots(after, source.baseline)) {
    const digests = restored.value.meta.members;
    const expected =
      digests === undefined
        ? referenceSnapshot(world, source, mutation.referenceBytes ?? mutation.bytes)
        : 'the archive carries members digests';
    if (typeof expected === 'string')
      problems.push(`restored data differs from the baseline (${snapshotDiff(after, source.baseline)}), and ${expected}`);
    else if (!equalSnapshots(after, expected))
      problems.push(`restored data differs from Python's reading of the archive: ${snapshotDiff(after, expected)}`);
  }
  return problems;
}
