/**
 * What the full-disk tests need besides the harness's CLI runner (@evidence-locker/harness): a
 * scratch directory, waiting for a work file to appear while a command runs, and a digest of the
 * data files a restore may replace.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA_FILES } from '@evidence-locker/core';
import type { CliRun } from '@evidence-locker/harness';

/** A new temp dir under the OS temp dir. */
export function scratchDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `el-${label}-`));
}

/**
 * Resolves as soon as an entry of `dir` matches `match` (polled every millisecond); rejects when
 * `done` settles first, since then the entry will never come.
 */
export async function waitForEntry(dir: string, match: (name: string) => boolean, done: Promise<CliRun>): Promise<string> {
  let ended: CliRun | undefined;
  void done.then((run) => (ended = run));
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
