/**
 * The end-of-run report: how long the run took, the unkilled durations the delays came from, and
 * per kind of trial where the kills landed (classify-kill.ts), in which state they left the data
 * dir and how many trials kept every guarantee.
 */
import type { CrashFixtures } from './prepare-crash-fixtures.ts';
import { SEALED_TRIAL_KINDS, TRIAL_KINDS } from './plan-crash-trials.ts';
import type { TrialOutcome } from './run-crash-trial.ts';

export interface CrashRunCounts {
  trials: number;
  /** Trials with a problem. */
  failed: number;
  totalSeconds: number;
  prepareSeconds: number;
  /** kind → phase → trials. */
  phases: Record<string, Record<string, number>>;
  /** kind → data dir state → trials. */
  states: Record<string, Record<string, number>>;
  /** Trials per kill target (process alone, process group), and how many of them failed. */
  killTargets: Record<string, { trials: number; failed: number }>;
  failures: { index: number; kind: string; killTarget: string; delayMs: number; phase: string; problems: string[] }[];
}

const bump = (table: Record<string, Record<string, number>>, row: string, column: string) => {
  table[row] ??= {};
  table[row][column] = (table[row][column] ?? 0) + 1;
};

/** Counts and a printable text of the run. */
export function summarizeCrashRun(outcomes: TrialOutcome[], fixtures: CrashFixtures, totalMs: number) {
  const counts: CrashRunCounts = {
    trials: outcomes.length,
    failed: 0,
    totalSeconds: totalMs / 1000,
    prepareSeconds: fixtures.timings.prepareMs / 1000,
    phases: {},
    states: {},
    killTargets: {},
    failures: [],
  };
  for (const outcome of outcomes) {
    bump(counts.phases, outcome.plan.kind, outcome.phase);
    bump(counts.states, outcome.plan.kind, outcome.state);
    const target = (counts.killTargets[outcome.plan.killTarget] ??= { trials: 0, failed: 0 });
    target.trials += 1;
    if (outcome.problems.length > 0) {
      counts.failed += 1;
      target.failed += 1;
      const { index, kind, killTarget, delayMs } = outcome.plan;
      counts.failures.push({ index, kind, killTarget, delayMs, phase: outcome.phase, problems: outcome.problems });
    }
  }
  const t = fixtures.timings;
  const ms = (value: number) => `${Math.round(value)} ms`;
  const lines = [
    `crash run: ${counts.trials} trials, ${counts.failed} failed, ${counts.totalSeconds.toFixed(1)} s (preparation ${counts.prepareSeconds.toFixed(1)} s)`,
    `unkilled: cli create ${ms(t.cliCreateMs)} (write window ${ms(t.cliCreateWriteWindowMs)}), server create ${ms(t.serverCreateMs)} (write window ${ms(t.serverCreateWriteWindowMs)}), server upload+restore ${ms(t.serverRestoreMs)} (publish window ${ms(t.serverPublishWindowMs)})`,
    `unkilled cli restores: ${Object.values(fixtures.archives)
      .map((archive) => `${archive.name} ${ms(archive.restoreMs)} (publish window ${ms(archive.publishWindowMs)})`)
      .join(', ')}`,
    'where the kills landed (kind: phase × trials | data dir state × trials):',
  ];
  for (const kind of [...TRIAL_KINDS, ...SEALED_TRIAL_KINDS]) {
    const phases = counts.phases[kind];
    if (!phases) continue;
    const states = counts.states[kind] ?? {};
    lines.push(
      `  ${kind.padEnd(22)} ${Object.entries(phases)
        .sort(([, a], [, b]) => b - a)
        .map(([phase, count]) => `${phase} ×${count}`)
        .join(', ')} | ${Object.entries(states)
        .map(([state, count]) => `${state} ×${count}`)
        .join(', ')}`,
    );
  }
  const allPhases: Record<string, number> = {};
  for (const phases of Object.values(counts.phases)) {
    for (const [phase, count] of Object.entries(phases)) allPhases[phase] = (allPhases[phase] ?? 0) + count;
  }
  lines.push(
    `all trials by phase: ${Object.entries(allPhases)
      .sort(([, a], [, b]) => b - a)
      .map(([phase, count]) => `${phase} ×${count}`)
      .join(', ')}`,
  );
  lines.push(
    `killed: ${Object.entries(counts.killTargets)
      .map(([target, { trials, failed }]) => `${target === 'group' ? 'process group' : 'node process alone'} ×${trials} (${failed} failed)`)
      .join(', ')}`,
  );
  for (const failure of counts.failures) {
    lines.push(
      `FAILED trial ${failure.index} (${failure.kind}, ${failure.killTarget} +${failure.delayMs} ms, ${failure.phase}): ${failure.problems.join(' | ')}`,
    );
  }
  return { counts, text: lines.join('\n') };
}
