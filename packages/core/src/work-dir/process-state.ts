/**
 * Whether a process of this host can still run its own code, as /proc tells (Linux).
 *
 * `kill(pid, 0)` and `/proc/<pid>` both still answer for a process that was killed but is not
 * reaped yet (a zombie), and for one whose threads are tearing down. Such a process never writes
 * another file, yet it can stay in that state for a while: a CLI killed with its parent (a user's
 * Ctrl-C or `kill` of the whole process group, a container stop) is handed to PID 1, and many
 * PID 1s reap only now and then (about once a second here) or never (a shell or an app without an
 * init). So a process counts as `ending` as soon as no thread of it will run user code again:
 * SIGKILL is pending for the process, or every thread is a zombie, dead, exiting (PF_EXITING) or
 * has SIGKILL pending.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { errnoCode } from '../errors.ts';

/** What is known of a process: its start time (clock ticks since boot) and whether it is ending. */
export type ProcessState =
  | { kind: 'running'; start: number }
  | { kind: 'ending'; start: number }
  | { kind: 'gone' }
  /** No /proc (not Linux), but the pid answers to signals. */
  | { kind: 'unknown' };

/** The fields of `/proc/<pid>/stat` read here. */
export interface ProcStat {
  /** One letter: R, S, D, T, t, Z, X, … */
  state: string;
  /** The kernel's PF_* flags word. */
  flags: number;
  /** Start time in clock ticks since boot. */
  start: number;
}

/** The kernel's PF_EXITING: the thread is in do_exit and runs no user code any more. */
const PF_EXITING = 0x4;
/** SIGKILL's bit in the pending masks of `/proc/<pid>/status`. */
const SIGKILL_BIT = 1n << 8n;

/** Parses `/proc/<pid>/stat` (or a task's); the command name (field 2) may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', flags: Number(fields[6] ?? 0), start: Number(fields[19] ?? 0) };
}

/** Whether the `field` mask (`SigPnd` or `ShdPnd`) of a `/proc/<pid>/status` text holds SIGKILL. */
export function hasSigkillPending(status: string, field: 'SigPnd' | 'ShdPnd'): boolean {
  const mask = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1];
  return mask !== undefined && (BigInt(`0x${mask}`) & SIGKILL_BIT) !== 0n;
}

/** Whether a thread, from its stat and status, will never run user code again. */
export function isThreadEnding(stat: ProcStat, status: string): boolean {
  return (
    stat.state === 'Z' || stat.state === 'X' || stat.state === 'x' || (stat.flags & PF_EXITING) !== 0 || hasSigkillPending(status, 'SigPnd')
  );
}

/** Reads a /proc file; undefined when it is gone (the thread or process ended meanwhile). */
function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ESRCH') return undefined;
    throw error;
  }
}

function answersSignals(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/** The state of process `pid` (see the file comment). */
export function processState(pid: number): ProcessState {
  if (!answersSignals(pid)) return { kind: 'gone' };
  try {
    return readProcessState(pid);
  } catch {
    // /proc unreadable (permissions): the process answered, so it counts as there.
    return { kind: 'unknown' };
  }
}

function readProcessState(pid: number): ProcessState {
  const statText = readProc(`/proc/${pid}/stat`);
  // No entry although the pid answered: no /proc, or one that hides other users' processes
  // (hidepid); unless it ended just now.
  if (statText === undefined) return answersSignals(pid) ? { kind: 'unknown' } : { kind: 'gone' };
  const { start } = parseProcStat(statText);
  const status = readProc(`/proc/${pid}/status`);
  if (status === undefined) return { kind: 'gone' };
  if (hasSigkillPending(status, 'ShdPnd')) return { kind: 'ending', start };
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  const running = tids.some((tid) => {
    const taskStat = readProc(`/proc/${pid}/task/${tid}/stat`);
    const taskStatus = readProc(`/proc/${pid}/task/${tid}/status`);
    // A thread that vanished between the listing and the read has ended.
    return taskStat !== undefined && taskStatus !== undefined && !isThreadEnding(parseProcStat(taskStat), taskStatus);
  });
  return { kind: running ? 'running' : 'ending', start };
}
