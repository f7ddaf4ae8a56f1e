/**
 * Which process a trial kills, during what, and when. Trial `index` takes kind
 * TRIAL_KINDS[index % 8], so any 8 consecutive trials cover every kind (and a short run of 10 gets
 * the two publish kinds twice); its other choices come from its own fork of core's seeded
 * generator (`createPrng(seed).fork('trial <index>')`), so a trial is the same whether it runs in a
 * full run or alone.
 *
 * The kill hits the node process alone or its whole process group (KillTarget), half of the
 * trials each.
 *
 * Kill moments:
 * - `start`: a delay uniform in [0, 1.1 × the unkilled duration], counted from the spawn (CLI) or
 *   from the request that starts the job (server; for a restore, from the start of the upload);
 * - `partial` / `intent`: counted from the moment the partial archive (write phase of a backup) or
 *   the restore intent (publish phase of a restore) appears, a delay in [0, 1.1 × the unkilled
 *   time from there to the end], drawn as u² × window so most kills land early, inside the few
 *   milliseconds that publishing takes.
 */
import { createPrng } from '@evidence-locker/core';
import type { ArchiveName, CrashFixtures } from './prepare-crash-fixtures.ts';
import { ARCHIVE_NAMES } from './prepare-crash-fixtures.ts';

export const TRIAL_KINDS = [
  'cli-restore-publish',
  'server-restore-publish',
  'cli-create',
  'cli-restore',
  'server-create',
  'server-restore',
  'cli-create-write',
  'server-create-write',
] as const;
/**
 * Sealed trials (issue 17), drawn on their own (`planTrial(…, { sealed: true })`, kind
 * SEALED_TRIAL_KINDS[index % 4]): a CLI backup sealed for a recipient (`--recipient`), and a CLI
 * restore of a sealed archive (`--identity`), each killed from the start or at its partial file /
 * restore intent. Plain trials keep their kinds and draws.
 */
export const SEALED_TRIAL_KINDS = [
  'cli-create-sealed',
  'cli-restore-sealed-publish',
  'cli-restore-sealed',
  'cli-create-sealed-write',
] as const;
export type TrialKind = (typeof TRIAL_KINDS)[number] | (typeof SEALED_TRIAL_KINDS)[number];

export type KillTrigger = 'start' | 'partial' | 'intent';

/** What the data dir and the backup dir are given as the "next operation" after a CLI kill. */
export type BackupDirNextOp = 'list' | 'prune';

/**
 * What the SIGKILL hits: the node process alone (the OOM killer, `kill -9 <pid>`), or its whole
 * process group under a parent that dies with it (Ctrl-C in a terminal, a container stop), which
 * leaves the killed process to PID 1 to reap (spawnLocker of @evidence-locker/harness).
 */
export type KillTarget = 'process' | 'group';

export interface TrialPlan {
  seed: number;
  index: number;
  kind: TrialKind;
  /** A sealed trial: the backup is sealed, or the archive restored is (prepare-crash-fixtures.ts, `sealed`). */
  sealed: boolean;
  operation: 'create' | 'restore';
  runner: 'cli' | 'server';
  /** The archive restored (restores only). */
  archive: ArchiveName | null;
  trigger: KillTrigger;
  /** The uniform draw behind the delay, in [0, 1.1) for `start` and [0, 1) otherwise. */
  draw: number;
  /** Milliseconds from the trigger to SIGKILL. */
  delayMs: number;
  backupDirNextOp: BackupDirNextOp;
  killTarget: KillTarget;
}

/**
 * The plan of trial `index` of the run seeded with `seed`; with `sealed`, of sealed trial `index`.
 * Sealed trials draw their delays from the plain runs' timings: sealing or opening adds little.
 */
export function planTrial(
  seed: number,
  index: number,
  timings: Pick<CrashFixtures, 'timings' | 'archives'>,
  { sealed = false }: { sealed?: boolean } = {},
): TrialPlan {
  const prng = createPrng(seed).fork(sealed ? `sealed trial ${index}` : `trial ${index}`);
  const kinds: readonly TrialKind[] = sealed ? SEALED_TRIAL_KINDS : TRIAL_KINDS;
  const kind = kinds[index % kinds.length]!;
  const operation = kind.includes('create') ? 'create' : 'restore';
  const runner = kind.startsWith('cli') ? 'cli' : 'server';
  const archive = operation === 'restore' ? prng.pick(ARCHIVE_NAMES) : null;
  const trigger: KillTrigger = kind.endsWith('-write') ? 'partial' : kind.endsWith('-publish') ? 'intent' : 'start';
  const { timings: t, archives } = timings;
  let draw: number;
  let delayMs: number;
  if (trigger === 'start') {
    draw = prng.next() * 1.1;
    const duration =
      operation === 'create'
        ? runner === 'cli'
          ? t.cliCreateMs
          : t.serverCreateMs
        : runner === 'cli'
          ? archives[archive!].restoreMs
          : t.serverRestoreMs;
    delayMs = draw * duration;
  } else {
    draw = prng.next();
    const window =
      operation === 'create'
        ? runner === 'cli'
          ? t.cliCreateWriteWindowMs
          : t.serverCreateWriteWindowMs
        : runner === 'cli'
          ? archives[archive!].publishWindowMs
          : t.serverPublishWindowMs;
    delayMs = draw * draw * window * 1.1;
  }
  const backupDirNextOp: BackupDirNextOp = prng.next() < 0.5 ? 'list' : 'prune';
  // Drawn last, so the choices above are those of earlier versions of this plan.
  let killTarget: KillTarget = prng.next() < 0.5 ? 'group' : 'process';
  const override = process.env['CRASH_DELAY_MS'];
  if (override !== undefined && override !== '') delayMs = Number(override);
  const targetOverride = process.env['CRASH_KILL'];
  if (targetOverride === 'group' || targetOverride === 'process') killTarget = targetOverride;
  return {
    seed,
    index,
    kind,
    sealed,
    operation,
    runner,
    archive,
    trigger,
    draw,
    delayMs: Math.round(delayMs * 10) / 10,
    backupDirNextOp,
    killTarget,
  };
}

/** The one line that identifies a trial, printed with every failure so it can be replayed. */
export function describeTrial(plan: TrialPlan): string {
  return (
    `seed=${plan.seed} trial=${plan.index} op=${plan.kind}` +
    (plan.archive ? ` archive=${plan.archive}` : '') +
    ` kill=${plan.killTarget}@${plan.trigger}+${plan.delayMs}ms (draw ${plan.draw.toFixed(4)})` +
    ` | replay: CRASH_SEED=${plan.seed} ${plan.sealed ? 'CRASH_SEALED_TRIAL' : 'CRASH_TRIAL'}=${plan.index} [CRASH_DELAY_MS=${plan.delayMs}] [CRASH_KILL=${plan.killTarget}]` +
    ` pnpm --filter @evidence-locker/reliability exec vitest run test/crash.test.ts`
  );
}
