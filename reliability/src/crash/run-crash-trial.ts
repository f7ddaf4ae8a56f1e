/**
 * One crash trial, start to end:
 * 1. a fresh copy of the old instance (data dir) and an empty backup dir;
 * 2. the operation (TrialPlan): a CLI `backup create` / `backup restore`, or a server started on
 *    the two dirs and driven over HTTP (`backups.create`, or `POST /api/uploads` + `restore.start`;
 *    in `server-restore-publish` trials a second upload waits, never restored);
 * 3. SIGKILL at the planned moment, to the node process alone or to its whole process group
 *    (plan.killTarget: then the next operation starts while the killed process may not be
 *    reaped yet); the leftovers are listed and the phase classified;
 * 4. the next operation: `locker inspect --data-dir` and `locker backup list|prune --backup-dir`
 *    (CLI trials), or a new server start on the same dirs, which must answer /api/health and show
 *    the data (server trials; it is stopped with SIGTERM afterwards);
 * 5. the judgement (judge-crash-trial.ts).
 * Every process it starts is killed before it returns, whatever happened.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { WORK_PREFIX } from '@evidence-locker/core';
import {
  createClient,
  killHard,
  runCli,
  spawnLocker,
  startServer,
  uploadArchive,
  waitForJobEnd,
  type JobSnapshot,
  type LockerProcess,
  type RunningServer,
} from '@evidence-locker/harness';
import { classifyKill, RESTORE_INTENT_FILE, snapshotAfterKill, type KillSnapshot } from './classify-kill.ts';
import { fingerprintDataDir } from './fingerprint-data-dir.ts';
import { findLeftovers, isLeaseOf, judgeBackupDir, judgeDataDir, type DataDirState, type ListedBackup } from './judge-crash-trial.ts';
import type { TrialPlan } from './plan-crash-trials.ts';
import { copyOldDataDir, type CrashFixtures } from './prepare-crash-fixtures.ts';
import { watchForEntry, type EntryWatch } from './watch-for-entry.ts';

export interface TrialOutcome {
  plan: TrialPlan;
  /** Where the kill landed (classify-kill.ts). */
  phase: string;
  state: DataDirState | 'unknown';
  /** What the killed run left, before the next operation. */
  leftAfterKill: KillSnapshot | null;
  problems: string[];
  ms: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Runs trial `plan` in `trialDir` (created here; the caller removes it). */
export async function runCrashTrial(fixtures: CrashFixtures, plan: TrialPlan, trialDir: string): Promise<TrialOutcome> {
  const started = performance.now();
  const dataDir = path.join(trialDir, 'data');
  const backupDir = path.join(trialDir, 'backups');
  await fs.mkdir(trialDir, { recursive: true });
  await copyOldDataDir(fixtures, dataDir);
  await fs.mkdir(backupDir);
  const outcome: TrialOutcome = { plan, phase: 'unknown', state: 'unknown', leftAfterKill: null, problems: [], ms: 0 };
  const children: LockerProcess[] = [];
  try {
    const killed =
      plan.runner === 'cli'
        ? await killCli(plan, dataDir, backupDir, fixtures, children)
        : await killServer(plan, dataDir, backupDir, fixtures, children);
    outcome.problems.push(...killed.problems);
    const snapshot = await snapshotAfterKill(dataDir, backupDir);
    outcome.leftAfterKill = snapshot;
    const configNow = await fs.readFile(path.join(dataDir, 'config.json')).catch(() => null);
    const oldConfig = await fs.readFile(path.join(fixtures.oldDataDir, 'config.json'));
    outcome.phase = classifyKill(plan.operation, snapshot, {
      finished: killed.finished,
      published: configNow === null || !configNow.equals(oldConfig),
    });

    const listed =
      plan.runner === 'cli'
        ? await nextCliOperation(fixtures.bundle, plan, dataDir, backupDir, outcome)
        : await nextServerStart(fixtures.bundle, dataDir, backupDir, outcome, children);

    const fingerprint = await fingerprintDataDir(dataDir);
    const data = judgeDataDir(fixtures, plan, fingerprint, { finished: killed.finished });
    outcome.state = data.state;
    outcome.problems.push(...data.problems);
    if (listed) {
      const backups = await judgeBackupDir(fixtures, plan, backupDir, listed, {
        finished: killed.finished,
        state: data.state,
        key: { identities: [fixtures.sealed.identity] },
      });
      outcome.problems.push(...backups.problems);
    }
  } catch (error) {
    outcome.problems.push(`the trial itself failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    for (const child of children) {
      await killHard(child).catch(() => undefined);
      child.dispose();
    }
    outcome.ms = performance.now() - started;
  }
  return outcome;
}

interface KillResult {
  /** The operation had ended on its own before the kill. */
  finished: boolean;
  problems: string[];
}

/** Waits for the trigger, then the delay; resolves early (false) if `ended` settles first. */
async function waitForKillMoment(plan: TrialPlan, watch: EntryWatch | undefined, ended: Promise<unknown>): Promise<boolean> {
  const endedFirst = ended.then(
    () => 'ended' as const,
    () => 'ended' as const,
  );
  if (watch) {
    const first = await Promise.race([watch.seen.then(() => 'seen' as const), endedFirst, sleep(120_000).then(() => 'timeout' as const)]);
    if (first !== 'seen') return false;
  }
  const first = await Promise.race([sleep(plan.delayMs).then(() => 'delay' as const), endedFirst]);
  return first === 'delay';
}

function watchFor(plan: TrialPlan, dataDir: string, backupDir: string): EntryWatch | undefined {
  if (plan.trigger === 'partial') return watchForEntry(backupDir, (name) => name.startsWith(`${WORK_PREFIX}partial-`));
  if (plan.trigger === 'intent') return watchForEntry(dataDir, (name) => name === RESTORE_INTENT_FILE);
  return undefined;
}

async function killCli(
  plan: TrialPlan,
  dataDir: string,
  backupDir: string,
  fixtures: CrashFixtures,
  children: LockerProcess[],
): Promise<KillResult> {
  const { sealed } = fixtures;
  const args =
    plan.operation === 'create'
      ? [
          'backup',
          'create',
          '--data-dir',
          dataDir,
          '--backup-dir',
          backupDir,
          '--json',
          ...(plan.sealed ? ['--recipient', sealed.recipient] : []),
        ]
      : plan.sealed
        ? [
            'backup',
            'restore',
            sealed.archives[plan.archive!],
            '--identity',
            sealed.identityFile,
            '--data-dir',
            dataDir,
            '--backup-dir',
            backupDir,
            '--json',
          ]
        : ['backup', 'restore', fixtures.archives[plan.archive!].path, '--data-dir', dataDir, '--backup-dir', backupDir, '--json'];
  const watch = watchFor(plan, dataDir, backupDir);
  const child = spawnLocker(args, { group: plan.killTarget === 'group', bundle: fixtures.bundle });
  children.push(child);
  try {
    const killNow = await waitForKillMoment(plan, watch, child.exited);
    // Without killNow the run has ended, unless the trigger never came: then it is killed too.
    await killHard(child);
    const exit = await child.exited;
    const finished = exit.signal === null;
    const problems =
      finished && exit.code !== 0 ? [`locker ${args.slice(0, 2).join(' ')} failed on its own (exit ${exit.code}):\n${child.output()}`] : [];
    if (!finished && !killNow) problems.push(`the ${plan.trigger} trigger never came within 120 s`);
    return { finished, problems };
  } finally {
    watch?.close();
  }
}

async function killServer(
  plan: TrialPlan,
  dataDir: string,
  backupDir: string,
  fixtures: CrashFixtures,
  children: LockerProcess[],
): Promise<KillResult> {
  const server = await startServer({ dataDir, backupDir, group: plan.killTarget === 'group', bundle: fixtures.bundle });
  children.push(server.process);
  const client = createClient(server.url);
  if (plan.kind === 'server-restore-publish') {
    // Another upload waits beside the one restored (a user who uploaded twice): its staged files
    // must not outlive the restart either.
    await uploadArchive(server.url, fixtures.archives.ours.path);
  }
  const watch = watchFor(plan, dataDir, backupDir);
  let killed = false;
  let failedBeforeKill = false;
  let lastJob: JobSnapshot | undefined;
  const work: Promise<void> = (async () => {
    let job: JobSnapshot;
    if (plan.operation === 'create') {
      job = await client.backups.create.mutate();
    } else {
      const uploadId = await uploadArchive(server.url, fixtures.archives[plan.archive!].path);
      job = await client.restore.start.mutate({ uploadId });
    }
    lastJob = job;
    lastJob = await waitForJobEnd(client, job.id, { timeoutMs: 120_000 });
  })().catch((error: unknown) => {
    if (!killed) failedBeforeKill = true;
    throw error;
  });
  // Settled with the error (if any) at once: after the kill, the requests in flight fail.
  const workError = work.then(
    () => undefined,
    (error: unknown) => error ?? new Error('the server work failed'),
  );
  try {
    // A job that ends before the kill moment is no reason to stop waiting: kill the idle server then.
    const killNow = await waitForKillMoment(plan, watch, plan.trigger === 'start' ? new Promise(() => undefined) : work);
    if (!killNow && plan.trigger !== 'start') await sleep(plan.delayMs);
    killed = true;
    await killHard(server.process);
    const problems: string[] = [];
    const failure = await Promise.race([workError, sleep(1000).then(() => undefined)]);
    if (failure !== undefined && failedBeforeKill) problems.push(`the server work failed before the kill: ${errorText(failure)}`);
    const finished = lastJob?.state === 'succeeded';
    if (lastJob && ['failed', 'cancelled'].includes(lastJob.state)) {
      problems.push(`the ${lastJob.kind} job ${lastJob.state} on its own: ${JSON.stringify(lastJob.error)}`);
    }
    return { finished, problems };
  } finally {
    watch?.close();
  }
}

/** `locker inspect` on the data dir, `locker backup list|prune` on the backup dir; returns the listing. */
async function nextCliOperation(
  bundle: string,
  plan: TrialPlan,
  dataDir: string,
  backupDir: string,
  outcome: TrialOutcome,
): Promise<ListedBackup[] | null> {
  const runLocker = (args: string[]) => runCli(args, { bundle, allowFailure: true, timeoutMs: 120_000 });
  const inspect = await runLocker(['inspect', '--data-dir', dataDir, '--json']);
  if (inspect.code !== 0) outcome.problems.push(`locker inspect failed after the kill (exit ${inspect.code}):\n${inspect.output}`);
  const backupArgs =
    plan.backupDirNextOp === 'list'
      ? ['backup', 'list', '--backup-dir', backupDir, '--json']
      : ['backup', 'prune', '--backup-dir', backupDir, '--keep', '100', '--json'];
  const next = await runLocker(backupArgs);
  if (next.code !== 0)
    outcome.problems.push(`locker ${backupArgs.slice(0, 2).join(' ')} failed after the kill (exit ${next.code}):\n${next.output}`);
  await expectNoLeftovers(dataDir, backupDir, `locker inspect and locker backup ${plan.backupDirNextOp}`, outcome);
  const list = plan.backupDirNextOp === 'list' ? next : await runLocker(['backup', 'list', '--backup-dir', backupDir, '--json']);
  const backups = (list.json as { backups?: ListedBackup[] } | undefined)?.backups;
  if (!backups) {
    outcome.problems.push(`locker backup list gave no listing (exit ${list.code}):\n${list.output}`);
    return null;
  }
  return backups;
}

/** Starts the server again on the same dirs: it must recover, answer and show the data. */
async function nextServerStart(
  bundle: string,
  dataDir: string,
  backupDir: string,
  outcome: TrialOutcome,
  children: LockerProcess[],
): Promise<ListedBackup[] | null> {
  let server: RunningServer;
  try {
    server = await startServer({ dataDir, backupDir, bundle });
  } catch (error) {
    outcome.problems.push(`the server did not start again after the kill: ${errorText(error)}`);
    return null;
  }
  children.push(server.process);
  let listed: ListedBackup[] | null = null;
  try {
    // Only the running server's own lease may be there.
    await expectNoLeftovers(dataDir, backupDir, 'the next server start', outcome, (name) => isLeaseOf(name, server.process.pid()));
    const health = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(60_000) });
    await health.arrayBuffer();
    if (health.status !== 200) outcome.problems.push(`/api/health answered ${health.status} after the restart`);
    const client = createClient(server.url);
    const summary = await client.dashboard.summary.query();
    listed = (await client.backups.list.query()).backups;
    const exit = await server.stop();
    if (exit.code !== 0)
      outcome.problems.push(`the restarted server did not stop cleanly (exit ${exit.code ?? exit.signal}):\n${server.process.output()}`);
    await expectNoLeftovers(dataDir, backupDir, 'the restarted server stopped', outcome);
    // What the server showed must be what the directory holds.
    const fingerprint = await fingerprintDataDir(dataDir);
    const expect = (shown: Record<string, number> | null, held: Record<string, number> | undefined, name: string) => {
      const sorted = (value: Record<string, number> | null | undefined) =>
        JSON.stringify(Object.entries(value ?? {}).sort(([a], [b]) => a.localeCompare(b)));
      if (sorted(shown) !== sorted(held)) outcome.problems.push(`the restarted server shows other ${name} rows than the data dir holds`);
    };
    expect(summary.databases.history.tables, fingerprint.databases['docsis_history.db']?.tables, 'docsis_history.db');
    expect(summary.databases.connectionMonitor.tables, fingerprint.databases['connection_monitor.db']?.tables, 'connection_monitor.db');
  } catch (error) {
    outcome.problems.push(`the restarted server failed: ${errorText(error)}\n${server.process.output()}`);
  } finally {
    await server.stop();
  }
  return listed;
}

async function expectNoLeftovers(
  dataDir: string,
  backupDir: string,
  after: string,
  outcome: TrialOutcome,
  allowed?: (name: string) => boolean,
): Promise<void> {
  for (const [label, dir] of [
    ['data dir', dataDir],
    ['backup dir', backupDir],
  ] as const) {
    const left = await findLeftovers(dir, allowed ? { allowed } : {});
    if (left.length > 0) outcome.problems.push(`after ${after}, the ${label} still holds ${left.join(', ')}`);
  }
}
