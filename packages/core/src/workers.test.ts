import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKER_ENTRIES } from './workers.mjs';

const src = import.meta.dirname;

/** Every `new URL('./x-worker.ts', import.meta.url)` in core's code (comments aside): the workers core starts. */
function startedWorkers(): Map<string, string> {
  const started = new Map<string, string>();
  for (const relative of fs.readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!relative.endsWith('.ts') || relative.endsWith('.test.ts')) continue;
    const file = path.join(src, relative);
    const code = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const match of code.matchAll(/new URL\('\.\/([\w-]+-worker)\.ts', import\.meta\.url\)/g)) {
      started.set(match[1]!, path.join(path.dirname(file), `${match[1]}.ts`));
    }
  }
  return started;
}

describe('WORKER_ENTRIES (@evidence-locker/core/workers)', () => {
  it('lists every worker core starts, at the file it starts, and nothing else', () => {
    const started = startedWorkers();
    expect(started.size).toBeGreaterThan(0);
    expect(new Map(Object.entries(WORKER_ENTRIES))).toEqual(started);
  });

  it('names files that exist', () => {
    for (const file of Object.values(WORKER_ENTRIES)) expect(fs.existsSync(file), file).toBe(true);
  });
});
