/**
 * `locker <args> --json` through the built CLI (locker-cli.ts), parsed, with its wall time: what the
 * concurrency and load harnesses need from a command's answer.
 */
import fs from 'node:fs';
import { LOCKER_CLI, runLocker } from './locker-cli.ts';

/** Throws a readable error when the server bundle has not been built. */
export function requireBuiltLocker(): void {
  if (!fs.existsSync(LOCKER_CLI)) {
    throw new Error(`${LOCKER_CLI} is missing: run \`pnpm --filter @evidence-locker/web build && pnpm --filter @evidence-locker/server build\` first`);
  }
}

/** A successful `--json` run. */
export interface LockerJsonRun<T> {
  json: T;
  /** Wall time, process start included. */
  seconds: number;
}

/** Runs `locker <args> --json`; rejects with the command's output when it fails or prints no JSON. */
export async function runLockerJson<T = Record<string, unknown>>(args: string[]): Promise<LockerJsonRun<T>> {
  const started = performance.now();
  const run = await runLocker([...args, '--json']);
  const seconds = (performance.now() - started) / 1000;
  try {
    return { json: JSON.parse(run.stdout) as T, seconds };
  } catch {
    throw new Error(`locker ${args.join(' ')} printed no JSON:\n${run.stdout}\n${run.stderr}`);
  }
}
