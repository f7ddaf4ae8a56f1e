/**
 * Crash harness: kills the built CLI and server (as `pnpm locker` runs them) with SIGKILL at random
 * moments of a backup and a restore, half of the trials the node process alone, half its whole
 * process group under a parent that dies with it (Ctrl-C, a container stop), then checks that the data dir is all old or all new, that the backup dir holds only
 * complete archives, and that the next command or server start removes what the crash left.
 *
 *   CRASH_TRIALS=N   trials to run (default 10: every kind, the publish kinds twice; `pnpm crash` runs 200)
 *   CRASH_SEED=S     the run's seed (default 20261126); trial i's choices depend only on S and i
 *   CRASH_TRIAL=i    run only trial i (comma-separate several) to replay a failure
 *   CRASH_DELAY_MS=d force the kill delay (a failure message prints the one it used)
 *   CRASH_SEALED_TRIALS=N  sealed trials to run after them (default 4: each sealed kind once;
 *                    plan-crash-trials.ts, SEALED_TRIAL_KINDS); CRASH_SEALED_TRIAL=i runs only
 *                    sealed trial i (then no plain trial runs unless CRASH_TRIAL names some)
 *   CRASH_KILL=group|process  force what the kill hits (likewise)
 *   CRASH_KEEP_FAILED=1  keep the directories of failed trials (their path is printed)
 *   CRASH_REPORT=FILE    also write the outcome of every trial and the summary there as JSON
 *
 * Needs the built server (`pnpm --filter @evidence-locker/server build`), as `pnpm test` and
 * `pnpm crash` do first.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeTrial, planTrial, SEALED_TRIAL_KINDS, TRIAL_KINDS } from '../src/crash/plan-crash-trials.ts';
import { prepareCrashFixtures, removeCrashFixtures, type CrashFixtures } from '../src/crash/prepare-crash-fixtures.ts';
import { runCrashTrial, type TrialOutcome } from '../src/crash/run-crash-trial.ts';
import { summarizeCrashRun } from '../src/crash/summarize-crash-run.ts';

const seed = Number(process.env['CRASH_SEED'] || 20261126);
const trialCount = Number(process.env['CRASH_TRIALS'] || 10);
const only = process.env['CRASH_TRIAL'];
const onlySealed = process.env['CRASH_SEALED_TRIAL'];
const sealedCount = Number(process.env['CRASH_SEALED_TRIALS'] || 4);
const pick = (list: string | undefined, count: number): number[] =>
  list ? list.split(',').map(Number) : Array.from({ length: count }, (_, index) => index);
const indexes = onlySealed && !only ? [] : pick(only, trialCount);
const sealedIndexes = only && !onlySealed ? [] : pick(onlySealed, sealedCount);

describe(`crash harness (seed ${seed}, ${indexes.length} trials, ${sealedIndexes.length} sealed)`, () => {
  let fixtures: CrashFixtures | undefined;
  const outcomes: TrialOutcome[] = [];
  const runStarted = performance.now();

  beforeAll(async () => {
    fixtures = await prepareCrashFixtures();
  });

  afterAll(async () => {
    if (fixtures) {
      const summary = summarizeCrashRun(outcomes, fixtures, performance.now() - runStarted);
      console.log(summary.text);
      const reportFile = process.env['CRASH_REPORT'];
      if (reportFile) await fs.writeFile(reportFile, JSON.stringify({ seed, summary: summary.counts, outcomes }, null, 2));
    }
    await removeCrashFixtures(fixtures);
  });

  const trials = [
    ...indexes.map((index) => ({ index, sealed: false, kind: TRIAL_KINDS[index % TRIAL_KINDS.length] })),
    ...sealedIndexes.map((index) => ({ index, sealed: true, kind: SEALED_TRIAL_KINDS[index % SEALED_TRIAL_KINDS.length] })),
  ];
  it.each(trials)('trial $index ($kind)', async ({ index, sealed }) => {
    if (!fixtures) throw new Error('the fixtures were not prepared');
    const plan = planTrial(seed, index, fixtures, { sealed });
    const trialDir = path.join(fixtures.root, 'trials', `${sealed ? 'sealed-' : ''}trial-${index}`);
    const outcome = await runCrashTrial(fixtures, plan, trialDir);
    outcomes.push(outcome);
    const failed = outcome.problems.length > 0;
    if (failed && process.env['CRASH_KEEP_FAILED'] === '1') {
      const kept = `${fixtures.root}-failed-${sealed ? 'sealed-' : ''}trial-${index}`;
      await fs.rename(trialDir, kept);
      outcome.problems.push(`kept in ${kept}`);
    } else {
      await fs.rm(trialDir, { recursive: true, force: true });
    }
    expect(
      outcome.problems,
      `[crash ${describeTrial(plan)}] phase: ${outcome.phase}, data dir ${outcome.state}; left after the kill: ${JSON.stringify(outcome.leftAfterKill)}`,
    ).toEqual([]);
  });
});
