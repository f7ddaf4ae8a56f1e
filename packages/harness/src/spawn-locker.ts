/**
 * The built bundle as a child process, started as the launcher (apps/server/bin/locker) starts it:
 * `node <production flags> apps/server/dist/locker.js <args>` with the launcher's environment
 * settings (node-settings.ts), so the child's pid is node's. Not through the launcher itself: it
 * rebuilds a stale bundle first, and a harness must run the bundle its test script just built, not
 * race a rebuild while others edit the sources.
 *
 * The child's environment is its own: PATH, HOME and TMPDIR of this process, the node settings and
 * what the caller gives. A DATA_DIR, DEMO_MODE or MALLOC_ARENA_MAX of the calling shell never leaks
 * in. Every child is tracked, and whatever still runs when this process exits is killed, so a
 * failing test never leaves a CLI or a server behind.
 *
 * A child is spawned either alone (a SIGKILL then hits the node process only, as the OOM killer or
 * `kill -9 <pid>` does; a `cp` it started runs on) or, with `group`, in a process group of its own
 * that a SIGKILL kills as a whole, `cp` included, as Ctrl-C in a terminal or a container stop
 * does. A command killed that way is reaped by its parent or, when the parent (pnpm, a shell) died
 * with it, by PID 1, which may take a while: about a second here, never where PID 1 is an app that
 * does not reap orphans (a container whose PID 1 is `node`). Until then it is a zombie, its lease
 * still in place. `group` takes the worst case: the group's parent is a `sleep` that never reaps,
 * so the next operation always meets the zombie; `dispose()` ends the parent afterwards.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { SERVER_BUNDLE } from './locker-bundle.ts';
import { PRODUCTION_NODE_SETTINGS } from './node-settings.ts';

/** How a locker process ended: its exit code, or the signal that killed it. */
export interface LockerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link spawnLocker}. */
export interface SpawnLockerOptions {
  /** Environment variables besides PATH, HOME, TMPDIR and the node settings. */
  env?: Record<string, string>;
  /** In a process group of its own under a parent that does not reap it (file comment); default false. */
  group?: boolean;
  /** The bundle to run; default SERVER_BUNDLE (a copy elsewhere keeps a long run off rebuilds). */
  bundle?: string;
}

/** A spawned locker process and its output so far. */
export interface LockerProcess {
  /** The node process, or (`group`) the parent that holds it unreaped. */
  child: ChildProcess;
  /** Run in a process group of its own under a parent that does not reap it. */
  group: boolean;
  /** node's pid: at once without `group`, once the parent reported it with `group`. */
  pid(): number | undefined;
  /** Resolves when the node process has ended (with `group`: is a zombie), with how it ended. */
  exited: Promise<LockerExit>;
  /** Whether `exited` has resolved. */
  ended(): boolean;
  /** Sends `signal` to the node process (not its group). */
  signal(signal: NodeJS.Signals): Promise<void>;
  /** SIGKILL to the node process, or to its whole process group. */
  kill(): Promise<void>;
  /** Kills what is left of it, at once; with `group` the parent too, so PID 1 reaps the zombie. */
  dispose(): void;
  /** stdout and stderr so far, interleaved (the last 64 KB). */
  output(): string;
  /** All of stdout so far. */
  stdout(): string;
  /** All of stderr so far. */
  stderr(): string;
}

const OUTPUT_TAIL = 65_536;
const running = new Set<LockerProcess>();
process.once('exit', () => {
  for (const child of running) child.dispose();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The environment of a child: see the file comment. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR']) if (process.env[name] !== undefined) env[name] = process.env[name];
  return { ...env, ...PRODUCTION_NODE_SETTINGS.env, ...extra };
}

/** node's argument list for `locker <args>`: the production flags, the bundle, the arguments. */
export function lockerArgs(args: readonly string[], bundle: string = SERVER_BUNDLE): string[] {
  return [...PRODUCTION_NODE_SETTINGS.flags, bundle, ...args];
}

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

/** Starts `locker <args>` from the built bundle (see the file comment). */
export function spawnLocker(args: readonly string[], options: SpawnLockerOptions = {}): LockerProcess {
  const group = options.group ?? false;
  const node = [process.execPath, ...lockerArgs(args, options.bundle)];
  const spawnOptions: SpawnOptions = { env: childEnv(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe', 'pipe'] };
  // The group's parent: starts the command as a session (and process group) of its own, reports
  // its pid on fd 3, then becomes a `sleep` that never waits for it.
  const child: ChildProcess = group
    ? spawn('/bin/sh', ['-c', 'setsid "$@" 3>&- & echo $! >&3; exec sleep 86400 3>&-', 'locker-parent', ...node], spawnOptions)
    : spawn(node[0]!, node.slice(1), { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  });
  let ended = false;
  let started: LockerProcess;
  const common = { child, group, ended: () => ended, output: () => output, stdout: () => stdout, stderr: () => stderr };
  if (!group) {
    const exited = new Promise<LockerExit>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    started = {
      ...common,
      pid: () => child.pid,
      exited,
      signal: async (signal) => {
        if (!ended) child.kill(signal);
      },
      kill: async () => {
        if (!ended) child.kill('SIGKILL');
      },
      dispose: () => {
        if (!ended) child.kill('SIGKILL');
      },
    };
  } else {
    const parentEnded = new Promise<never>((_resolve, reject) => {
      child.once('error', reject);
      child.once('exit', () => reject(new Error(`the parent of locker ${args.join(' ')} ended before it:\n${output}`)));
    });
    let knownPid: number | undefined;
    const pid = Promise.race([
      new Promise<number>((resolve) =>
        (child.stdio[3] as Readable).once('data', (chunk: Buffer) => resolve((knownPid = Number(chunk.toString().trim())))),
      ),
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
      ...common,
      pid: () => knownPid,
      exited,
      signal: async (signal) => {
        const nodePid = await pid;
        if (!ended) process.kill(nodePid, signal);
      },
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

/**
 * SIGKILLs `target` (if still running: the node process alone, or its whole process group with
 * `group`) and waits until the node process has ended. With `group` it is a zombie then, not
 * reaped until `dispose()`: the next operation meets it as after a Ctrl-C that PID 1 has not
 * caught up with yet.
 */
export async function killHard(target: LockerProcess): Promise<void> {
  if (!target.ended()) await target.kill();
  await target.exited;
}
