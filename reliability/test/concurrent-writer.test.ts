/**
 * Backups of a data directory that DOCSight keeps writing to: 20 `locker backup create` runs one
 * after another while a separate writer process inserts snapshots, events and Connection Monitor
 * samples several times a second (src/concurrency/concurrent-writer-run.ts). The 1 GB version is
 * bench/concurrent-writer.bench.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCliJson } from '@evidence-locker/harness';
import { runConcurrentWriter, type ConcurrentWriterResult } from '../src/concurrency/concurrent-writer-run.ts';

const BACKUPS = 20;
let root: string;
let result: ConcurrentWriterResult;

beforeAll(async () => {
  assertBuilt();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-concurrent-writer-'));
  const dataDir = path.join(root, 'data');
  await runCliJson(['seed', '--data-dir', dataDir, '--months', '1', '--configured']);
  result = await runConcurrentWriter({
    dataDir,
    backupDir: path.join(root, 'backups'),
    scratchDir: path.join(root, 'scratch'),
    backups: BACKUPS,
    pollsPerSecond: 8,
    // Every archive is unpacked and checked by the harness; the CLI's own verify on a sample of them.
    cliVerifyEvery: 5,
  });
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('backups while DOCSight keeps writing', () => {
  it('makes every backup without the writer ever failing (SQLITE_BUSY included) or losing a commit', () => {
    expect(result.backups).toHaveLength(BACKUPS);
    expect(result.writer.errors).toEqual([]);
    expect(result.writer.polls).toBeGreaterThan(BACKUPS);
    expect(result.live['docsis_history.db']?.writerRows).toEqual({
      snapshots: result.writer.inserted.snapshots,
      events: result.writer.inserted.events,
    });
    expect(result.live['connection_monitor.db']?.writerRows).toEqual({ connection_samples: result.writer.inserted.connection_samples });
  });

  it('writes archives whose databases pass integrity_check, by our reader and by `locker backup verify`', () => {
    for (const backup of result.backups) {
      expect(backup.databases['docsis_history.db']?.integrity, backup.fileName).toEqual(['ok']);
      expect(backup.databases['connection_monitor.db']?.integrity, backup.fileName).toEqual(['ok']);
      if (backup.cliVerified !== null) expect(backup.cliVerified, backup.fileName).toBe(true);
    }
    expect(result.backups.filter((backup) => backup.cliVerified === true)).toHaveLength(BACKUPS / 5);
  });

  it("never loses rows from one backup to the next, and each backup holds more of the writer's rows", () => {
    const writerRows = result.backups.map((backup) => [
      backup.databases['docsis_history.db']?.writerRows?.['snapshots'],
      backup.databases['docsis_history.db']?.writerRows?.['events'],
      backup.databases['connection_monitor.db']?.writerRows?.['connection_samples'],
    ]);
    for (let i = 1; i < writerRows.length; i++) {
      const [snapshots, events, samples] = writerRows[i]!;
      const [snapshotsBefore, eventsBefore, samplesBefore] = writerRows[i - 1]!;
      expect(snapshots!, `backup ${i + 1}`).toBeGreaterThan(snapshotsBefore!);
      expect(samples!, `backup ${i + 1}`).toBeGreaterThan(samplesBefore!);
      // Every third poll writes an event: two backups in a row may see the same number.
      expect(events!, `backup ${i + 1}`).toBeGreaterThanOrEqual(eventsBefore!);
    }
    expect(writerRows.at(-1)![1]!).toBeGreaterThan(writerRows[0]![1]!);
    // Also: no table of either database went back, meta counts match the rows, no torn transaction.
    expect(result.problems).toEqual([]);
  });

  it('leaves the live databases sound', () => {
    expect(result.live['docsis_history.db']?.integrity).toEqual(['ok']);
    expect(result.live['connection_monitor.db']?.integrity).toEqual(['ok']);
  });
});
