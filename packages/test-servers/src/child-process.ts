/**
 * A server process a test started, stopped by its own pid (never by name), with its output kept
 * in a log file for the failure message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface StartedProcess {
  child: ChildProcess;
  /** Where its stdout and stderr go. */
  logFile: string;
  /** True until it exited. */
  alive(): boolean;
  /** The last part of its log, for error messages. */
  logTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `command` with `args`, its output appended to `logFile`. */
export function startProcess(
  command: string,
  args: readonly string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): StartedProcess {
  const log = fs.openSync(options.logFile, 'a');
  const child = spawn(command, [...args], { stdio: ['ignore', log, log], env: options.env ?? process.env, cwd: options.cwd });
  fs.closeSync(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  return {
    child,
    logFile: options.logFile,
    alive: () => !exited,
    logTail: () => {
      try {
        return fs.readFileSync(options.logFile, 'utf8').slice(-2000);
      } catch {
        return '';
      }
    },
    async stop(graceMs = 5000) {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}
