/**
 * The `locker` command as `pnpm locker` runs it (apps/server/bin/locker: the built bundle with the
 * server's node flags) as child processes: run one to its end, or spawn one to kill. Every child is
 * tracked, and whatever is still running when the test process exits is killed, so a failing trial
 * never leaves a CLI or a server behind.
 *
 * A child is spawned either alone (a SIGKILL then hits the node process only, as the OOM killer or
 * `kill -9 <pid>` does; a `cp` it started runs on) or, with `group`, in a process group of its own
 * that a SIGKILL kills as a whole, `cp` included, as Ctrl-C in a terminal or a container stop
 * does. A command killed that way is reaped by its parent or, when the parent (pnpm, a shell) died
 * with it, by PID 1, which may take a while: about a second here, never where PID 1 is an app that
 * does not reap orphans (a container whose PID 1 is `node`). Until then it is a zombie, its lease
 * still in place. The harness takes the worst case: the group's parent is a `sleep` that never
 * reaps, so the next operation always meets the zombie; `dispose()` ends the parent afterwards.
 *
 * A run works on its own copy of the bundle and launcher (copyLockerBundle): others rebuild
 * apps/server/dist while a long crash run is under way. The copied launcher has no sources beside
 * it, so it never rebuilds.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The built CLI and server bundle. */
export const BUILT_LOCKER = fileURLToPath(new URL('../../../apps/server/dist/locker.js', import.meta.url));
/** What `pnpm locker` runs: the bundle's launcher. */
const LAUNCHER = fileURLToPath(new URL('../../../apps/server/bin/locker', import.meta.url));
const SERVER_NODE_MODULES = fileURLToPath(new URL('../../../apps/server/node_modules', import.meta.url));

let locker = LAUNCHER;

/**
 * Copies the built bundle to `dir/dist` and the launcher to `dir/bin` (with `dir/node_modules`
 * linked to the server's, where its one external, better-sqlite3, is found) and runs that copy
 * from now on. The web app is not copied: the server then answers `/` with its "not built" page;
 * the API is unaffected.
 */
export async function copyLockerBundle(dir: string): Promise<void> {
  assertLockerBuilt();
  await fs.mkdir(path.join(dir, 'bin'), { recursive: true });
  await fs.cp(path.dirname(BUILT_LOCKER), path.join(dir, 'dist'), { recursive: true });
  await fs.copyFile(LAUNCHER, path.join(dir, 'bin', 'locker'));
  await fs.chmod(path.join(dir, 'bin', 'locker'), 0o755);
  await fs.symlink(SERVER_NODE_MODULES, path.join(dir, 'node_modules'));
  locker = path.join(dir, 'bin', 'locker');
  if (!existsSync(path.join(dir, 'dist', 'locker.js'))) throw new Error(`copying ${BUILT_LOCKER} failed (a build running meanwhile?)`);
}

/** Runs the launcher in place again (after the copy is removed). */
export function useBuiltLocker(): void {
  locker = LAUNCHER;
}

/** How a locker process ended: its exit code, or the signal that killed it. */
export interface LockerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A spawned locker process and its output so far. */
export interface LockerChild {
  /** The node process, or (`group`) the parent that holds it unreaped. */
  child: ChildProcess;
  /** Run in a process group of its own under a parent that does not reap it (file comment). */
  group: boolean;
  /** Resolves when the node process has ended (with `group`: is a zombie), with how it ended. */
  exited: Promise<LockerExit>;
  /** Whether `exited` has resolved. */
  ended(): boolean;
  /** SIGKILL to the node process, or to its whole process group. */
  kill(): Promise<void>;
  /** Kills what is left of it, at once; with `group` the parent too, so PID 1 reaps the zombie. */
  dispose(): void;
  /** stdout and stderr so far (the last 64 KB). */
  output(): string;
  stdout(): string;
}

const running = new Set<LockerChild>();
process.once('exit', () => {
  for (const child of running) child.dispose();
});

/** Throws unless the CLI bundle is built. */
export function assertLockerBuilt(): void {
  if (!existsSync(BUILT_LOCKER)) {
    throw new Error(`${BUILT_LOCKER} is missing: run \`pnpm --filter @evidence-locker/server build\` first`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** State, process group and (for a zombie) wait status of `pid` from /proc; undefined once it is gone. */
function procStat(pid: number): { state: string; pgrp: number; waitStatus: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 3 (state), 5 (pgrp) and 52 (exit_code, as waitpid reports it) of proc(5).
  return { state: fields[0] ?? '', pgrp: Number(fields[2]), waitStatus: Number(fields[49] ?? 0) };
}

function decodeWaitStatus(status: number): LockerExit {
  const signal = status & 0x7f;
  if (signal === 0) return { code: (status >> 8) & 0xff, signal: null };
  const name = Object.entries(os.constants.signals).find(([, number]) => number === signal)?.[0];
  return { code: null, signal: (name ?? 'SIGKILL') as NodeJS.Signals };
}

/**
 * Starts `locker <args>` with `env` added to this process's environment; with `group`, in a
 * process group of its own under a parent that does not reap it (see the file comment).
 */
export function spawnLocker(args: string[], env: Record<string, string> = {}, { group = false }: { group?: boolean } = {}): LockerChild {
  const options: SpawnOptions = { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] };
  // The group's parent: starts the command as a session (and process group) of its own, reports
  // its pid on fd 3, then becomes a `sleep` that never waits for it.
  const child: ChildProcess = group
    ? spawn('/bin/sh', ['-c', 'setsid "$@" 3>&- & echo $! >&3; exec sleep 86400 3>&-', 'locker-parent', locker, ...args], options)
    : spawn(locker, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    output = (output + chunk.toString('utf8')).slice(-65_536);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-65_536);
  });
  let ended = false;
  let started: LockerChild;
  if (!group) {
    const exited = new Promise<LockerExit>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    started = {
      child,
      group,
      exited,
      ended: () => ended,
      kill: async () => {
        if (!ended) child.kill('SIGKILL');
      },
      dispose: () => {
        if (!ended) child.kill('SIGKILL');
      },
      output: () => output,
      stdout: () => stdout,
    };
  } else {
    const parentEnded = new Promise<never>((_resolve, reject) => {
      child.once('error', reject);
      child.once('exit', () => reject(new Error(`the parent of locker ${args.join(' ')} ended before it:\n${output}`)));
    });
    let knownPid: number | undefined;
    const pid = Promise.race([
      new Promise<number>((resolve) => (child.stdio[3] as Readable).once('data', (chunk: Buffer) => resolve((knownPid = Number(chunk.toString().trim()))))),
      parentEnded,
    ]);
    const exited = (async () => {
      const nodePid = await pid;
      for (;;) {
        const stat = procStat(nodePid);
        if (stat === undefined) throw new Error(`locker ${args.join(' ')} (pid ${nodePid}) was reaped by someone else`);
        if (stat.state === 'Z') return decodeWaitStatus(stat.waitStatus);
        await sleep(3);
      }
    })();
    parentEnded.catch(() => undefined);
    started = {
      child,
      group,
      exited,
      ended: () => ended,
      kill: async () => {
        const nodePid = await pid;
        // setsid runs a moment after the fork: only then is the pid a process group's.
        for (const deadline = Date.now() + 5000; ; await sleep(1)) {
          const stat = procStat(nodePid);
          if (stat === undefined || stat.state === 'Z') return;
          if (stat.pgrp === nodePid) break;
          if (Date.now() > deadline) throw new Error(`locker ${args.join(' ')} (pid ${nodePid}) never got a process group of its own`);
        }
        process.kill(-nodePid, 'SIGKILL');
      },
      dispose: () => {
        running.delete(started);
        try {
          if (knownPid !== undefined) process.kill(-knownPid, 'SIGKILL');
        } catch {
          // The group is gone.
        }
        child.kill('SIGKILL');
      },
      output: () => output,
      stdout: () => stdout,
    };
  }
  running.add(started);
  void started.exited.then(
    () => {
      ended = true;
      if (!group) running.delete(started);
    },
    () => {
      ended = true;
    },
  );
  return started;
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
  const timer = setTimeout(() => void started.kill(), timeoutMs);
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

/**
 * SIGKILLs `target` (if still running: the node process alone, or its whole process group with
 * `group`) and waits until the node process has ended. With `group` it is a zombie then, not
 * reaped until `dispose()`: the next operation meets it as after a Ctrl-C that PID 1 has not
 * caught up with yet.
 */
export async function killHard(target: LockerChild): Promise<void> {
  if (!target.ended()) await target.kill();
  await target.exited;
}
