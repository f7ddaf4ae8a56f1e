/**
 * The built `locker` command (apps/server/dist/locker.js) as child processes: run one to its end,
 * or spawn one to kill. Every child is tracked, and whatever is still running when the test process
 * exits is killed, so a failing trial never leaves a CLI or a server behind.
 *
 * A run works on its own copy of the bundle (copyLockerBundle): others rebuild apps/server/dist
 * (its build starts by deleting it) while a long crash run is under way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI and server bundle. */
export const BUILT_LOCKER = fileURLToPath(new URL('../../../apps/server/dist/locker.js', import.meta.url));
const SERVER_NODE_MODULES = fileURLToPath(new URL('../../../apps/server/node_modules', import.meta.url));

let locker = BUILT_LOCKER;

/**
 * Copies the built bundle to `dir/dist` (with `dir/node_modules` linked to the server's, where its
 * one external, better-sqlite3, is found) and runs that copy from now on. The web app is not
 * copied: the server then answers `/` with its "not built" page; the API is unaffected.
 */
export async function copyLockerBundle(dir: string): Promise<void> {
  assertLockerBuilt();
  await fs.mkdir(dir, { recursive: true });
  await fs.cp(path.dirname(BUILT_LOCKER), path.join(dir, 'dist'), { recursive: true });
  await fs.symlink(SERVER_NODE_MODULES, path.join(dir, 'node_modules'));
  locker = path.join(dir, 'dist', 'locker.js');
  if (!existsSync(locker)) throw new Error(`copying ${BUILT_LOCKER} failed (a build running meanwhile?)`);
}

/** Runs the built bundle in place again (after the copy is removed). */
export function useBuiltLocker(): void {
  locker = BUILT_LOCKER;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A spawned locker process and its output so far. */
export interface LockerChild {
  child: ChildProcess;
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stdout and stderr so far (the last 64 KB). */
  output(): string;
  stdout(): string;
}

/** Throws unless the CLI bundle is built. */
export function assertLockerBuilt(): void {
  if (!existsSync(BUILT_LOCKER)) {
    throw new Error(`${BUILT_LOCKER} is missing: run \`pnpm --filter @evidence-locker/server build\` first`);
  }
}

/** Starts `locker <args>` with `env` added to this process's environment. */
export function spawnLocker(args: string[], env: Record<string, string> = {}): LockerChild {
  const child = spawn(process.execPath, [locker, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    output = (output + chunk.toString('utf8')).slice(-65_536);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-65_536);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, exited, output: () => output, stdout: () => stdout };
}

/** Result of a locker run to its end. */
export interface LockerRun {
  code: number | null;
  stdout: string;
  output: string;
  /** The parsed stdout when the command was given `--json`. */
  json: unknown;
}

/** Runs `locker <args>` to its end (killed after `timeoutMs`, default 120 s). */
export async function runLocker(args: string[], { timeoutMs = 120_000 } = {}): Promise<LockerRun> {
  const started = spawnLocker(args);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  try {
    const { code } = await started.exited;
    let json: unknown;
    if (args.includes('--json')) {
      try {
        json = JSON.parse(started.stdout());
      } catch {
        json = undefined;
      }
    }
    return { code, stdout: started.stdout(), output: started.output(), json };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `locker <args>` and throws with its output unless it exits 0. */
export async function runLockerOk(args: string[], options?: { timeoutMs?: number }): Promise<LockerRun> {
  const run = await runLocker(args, options);
  if (run.code !== 0) throw new Error(`locker ${args.join(' ')} exited ${run.code}:\n${run.output}`);
  return run;
}

/** SIGKILLs `target` (if still running) and waits for it to be gone. */
export async function killHard(target: LockerChild): Promise<void> {
  if (target.child.exitCode === null && target.child.signalCode === null) target.child.kill('SIGKILL');
  await target.exited;
}
