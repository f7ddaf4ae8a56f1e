/**
 * The test restores' outcomes, kept in the data directory beside the instance's files:
 * `.evidence-locker.test-restore-state.json` holds the last outcome and the last good one, so a
 * restart still says "restorable as of" and does not run a test restore again before it is due.
 * Not a DOCSight file and not archived (a backup carries only DATA_FILES); outside WORK_PREFIX, so
 * no sweep takes it. Written atomically; a file that cannot be read or is not this shape counts as
 * no record (the state is advisory: the next test restore writes it anew).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@evidence-locker/core';
import { z } from 'zod';
import { TestRestoreOutcomeSchema } from './test-restore-state.ts';

export const TEST_RESTORE_STATE_FILE = '.evidence-locker.test-restore-state.json';

export const TestRestoreRecordSchema = z.object({
  last: TestRestoreOutcomeSchema.nullable(),
  lastGood: TestRestoreOutcomeSchema.nullable(),
});
export type TestRestoreRecord = z.infer<typeof TestRestoreRecordSchema>;

/** The record of `dataDir`; empty when there is none or it is unusable. */
export async function readTestRestoreRecord(dataDir: string): Promise<TestRestoreRecord> {
  try {
    const parsed = TestRestoreRecordSchema.safeParse(JSON.parse(await readFile(path.join(dataDir, TEST_RESTORE_STATE_FILE), 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // Missing, unreadable or not JSON: no record.
  }
  return { last: null, lastGood: null };
}

/** Writes the record of `dataDir` atomically. */
export async function writeTestRestoreRecord(dataDir: string, record: TestRestoreRecord): Promise<void> {
  await writeFileAtomic(path.join(dataDir, TEST_RESTORE_STATE_FILE), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}
