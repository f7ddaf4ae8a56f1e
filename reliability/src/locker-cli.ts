/**
 * The CLI as a user runs it (`pnpm locker`: apps/server/bin/locker, which runs the built bundle
 * apps/server/dist/locker.js with the server's node flags), for the reliability tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_FILES } from '@evidence-locker/core';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const LOCKER_CLI = path.join(REPO_ROOT, 'apps/server/dist/locker.js');
/** What `pnpm locker` runs (it execs node on LOCKER_CLI: the child's pid is node's). */
export const LOCKER_COMMAND = path.join(REPO_ROOT, 'apps/server/bin/locker');

export interface LockerRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface StartedLocker {
  child: ChildProcess;
  exited: Promise<LockerRun>;
}

/** Starts `locker <args>`; `exited` resolves when it ends, however it ends. */
export function startLocker(args: string[], env: NodeJS.ProcessEnv = {}): StartedLocker {
  if (!fs.existsSync(LOCKER_CLI)) throw new Error(`${LOCKER_CLI} is missing: run \`pnpm --filter @evidence-locker/server build\``);
  const child = spawn(LOCKER_COMMAND, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<LockerRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exited };
}

/** Runs `locker <args>` to its end; a non-zero exit throws unless `allowFailure`. */
export async function runLocker(args: string[], options: { allowFailure?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<LockerRun> {
  const result = await startLocker(args, options.env).exited;
  if (result.code !== 0 && !options.allowFailure) {
    throw new Error(`locker ${args.join(' ')} exited with ${result.code ?? result.signal}:\n${result.stderr}${result.stdout}`);
  }
  return result;
}

/** A new temp dir under the OS temp dir. */
export function scratchDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `el-${label}-`));
}

/**
 * Resolves as soon as an entry of `dir` matches `match` (polled every millisecond); rejects when
 * `exited` settles first, since then the entry will never come.
 */
export async function waitForEntry(dir: string, match: (name: string) => boolean, exited: Promise<LockerRun>): Promise<string> {
  let ended: LockerRun | undefined;
  void exited.then((run) => (ended = run));
  for (;;) {
    const found = (fs.existsSync(dir) ? fs.readdirSync(dir) : []).find(match);
    if (found !== undefined) return found;
    if (ended !== undefined) throw new Error(`the command ended before an entry appeared in ${dir}:\n${ended.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** SHA-256 of each data file present in `dataDir` (the files a restore may replace). */
export function dataDirDigest(dataDir: string): Record<string, string> {
  const digest: Record<string, string> = {};
  for (const name of DATA_FILES) {
    const file = path.join(dataDir, name);
    if (fs.existsSync(file)) digest[name] = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return digest;
}
