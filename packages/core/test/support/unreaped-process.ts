/**
 * A process that has ended but that nobody has reaped yet (a zombie), as a CLI killed together with
 * its parent stays until PID 1 gets round to reaping it. Its parent is a `sleep` that never waits.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseProcStat } from '../../src/work-dir/process-state.ts';

export interface UnreapedProcess {
  pid: number;
  /** Its start time from /proc, as a lease of it names it. */
  start: number;
  /** Ends the parent, so the zombie is reaped. */
  release(): void;
}

/** Starts a process that exits at once and stays a zombie until `release()`. */
export async function startUnreapedProcess(): Promise<UnreapedProcess> {
  // The child exits only once its parent has become `sleep`: a child that ended before the `exec`
  // could be reaped by the shell itself, and then there is no zombie to look at (a busy machine
  // showed it).
  const child = `while [ "$(cat /proc/$PPID/comm)" != sleep ]; do sleep 0.01; done`;
  const parent = spawn('/bin/sh', ['-c', `sh -c '${child}' & echo $!; exec sleep 120`], { stdio: ['ignore', 'pipe', 'ignore'] });
  const release = () => {
    parent.kill('SIGKILL');
  };
  try {
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      parent.once('exit', () => reject(new Error('the parent of the zombie ended early')));
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (stat.state === 'Z') return { pid, start: stat.start, release };
      if (Date.now() > deadline) throw new Error(`process ${pid} did not become a zombie (state ${stat.state})`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } catch (error) {
    release();
    throw error;
  }
}
