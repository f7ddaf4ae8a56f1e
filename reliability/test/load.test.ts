/**
 * The server under load while it works: a scheduled backup runs and two downloads stream (a stored
 * backup, read slowly, and a fresh one) while autocannon sends the settings page's and the
 * dashboard's queries over 50 connections (src/load/load-run.ts). Timing is the benchmark's business
 * (bench/load.bench.ts); this asserts that nothing is refused or lost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCliJson } from '@evidence-locker/harness';
import { runLoad, type LoadRunResult } from '../src/load/load-run.ts';

let root: string;
let result: LoadRunResult;

beforeAll(async () => {
  assertBuilt({ webApp: true });
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-load-'));
  const dataDir = path.join(root, 'data');
  await runCliJson(['seed', '--data-dir', dataDir, '--months', '1', '--configured']);
  result = await runLoad({
    dataDir,
    backupDir: path.join(root, 'backups'),
    scratchDir: path.join(root, 'scratch'),
    connections: 50,
    minSeconds: 4,
    maxSeconds: 120,
    downloads: ['stored', 'fresh'],
    // About 5 MB archives: read slowly, the stored one keeps streaming through the load.
    downloadBytesPerSecond: 1.5e6,
  });
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('the server under 50 connections while a backup runs and downloads stream', () => {
  it('answers every backups.list and dashboard.summary request with 2xx, none refused by the origin guard', () => {
    expect(result.load.requests).toBeGreaterThan(0);
    expect(result.load.errors).toBe(0);
    expect(result.load.non2xx).toBe(0);
    expect(Object.keys(result.load.statusCodes)).toEqual(['200']);
  });

  it('finishes the scheduled backup with a sound archive', () => {
    expect(result.scheduled).toMatchObject({
      trigger: 'scheduled',
      integrity: { 'docsis_history.db': 'ok', 'connection_monitor.db': 'ok' },
    });
  });

  it('streams both downloads to the end as valid archives', () => {
    expect(result.downloads.map((download) => [download.kind, download.trigger, download.integrity])).toEqual([
      ['stored', 'manual', { 'docsis_history.db': 'ok', 'connection_monitor.db': 'ok' }],
      ['fresh', 'download', { 'docsis_history.db': 'ok', 'connection_monitor.db': 'ok' }],
    ]);
    for (const download of result.downloads) expect(download.bytes).toBe(download.download?.contentLength);
  });

  it('found nothing else wrong (stored download byte-identical to the file, Content-Length kept)', () => {
    expect(result.problems, result.serverOutput).toEqual([]);
  });
});
