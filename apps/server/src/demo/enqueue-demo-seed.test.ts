import { describe, expect, it } from 'vitest';
import { JobProgressSchema, type JobProgress } from '../jobs/job-schema.ts';
import { createTestServices } from '@evidence-locker/server/testing/test-services';
import { seedJobProgress } from './enqueue-demo-seed.ts';
import { seedDemoData } from './seed-demo-data.ts';

describe('seedJobProgress', () => {
  it("reports the demo's steps counting rows where rows are written, never bytes", async () => {
    const setup = await createTestServices();
    const reported: JobProgress[] = [];
    await seedDemoData({
      instance: setup.services.instance,
      historyDays: 2,
      connectionMonitorDays: 1,
      now: new Date('2026-05-01T12:00:00Z'),
      onProgress: (progress) => reported.push(JobProgressSchema.parse(seedJobProgress(progress))),
    });
    const units = new Map(reported.map((progress) => [progress.phase, progress.unit]));
    expect(Object.fromEntries(units)).toEqual({
      snapshots: 'rows',
      'history-tables': 'steps',
      'connection-samples': 'rows',
      checkpoint: 'steps',
    });
    const lastSnapshots = reported.filter((progress) => progress.phase === 'snapshots').at(-1);
    expect(lastSnapshots).toMatchObject({ bytesDone: 192, bytesTotal: 192 });
  });
});
