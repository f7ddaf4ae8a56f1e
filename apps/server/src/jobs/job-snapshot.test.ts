import { describe, expect, it } from 'vitest';
import { JobSnapshotSchema } from './job-snapshot.ts';

const finishedBackup = {
  id: '7d0f3c57-4b1e-4a41-9f3a-0c6f4b2b8d11',
  kind: 'backup',
  label: 'Backup to /backups',
  state: 'succeeded',
  progress: null,
  cancellable: false,
  error: null,
  createdAt: '2026-12-05T08:00:00.000Z',
  startedAt: '2026-12-05T08:00:00.010Z',
  finishedAt: '2026-12-05T08:00:02.000Z',
  result: {
    fileName: 'docsight_backup_2026-12-05_080000.tar.gz',
    path: '/backups/docsight_backup_2026-12-05_080000.tar.gz',
    size: 1234,
    sealed: false,
    trigger: 'manual',
    pruned: [],
    pruneProblems: [],
  },
};

describe('JobSnapshotSchema', () => {
  it("reads a finished job's result with the schema of its kind", () => {
    const snapshot = JobSnapshotSchema.parse(finishedBackup);
    expect(snapshot.kind === 'backup' && snapshot.result?.fileName).toBe('docsight_backup_2026-12-05_080000.tar.gz');
  });

  it("refuses a result that is another kind's", () => {
    expect(JobSnapshotSchema.safeParse({ ...finishedBackup, kind: 'restore' }).success).toBe(false);
  });

  it('refuses an error code that no client has a text for', () => {
    const failed = { ...finishedBackup, state: 'failed', result: undefined, error: { code: 'SOMETHING_ELSE', message: 'x', details: {} } };
    expect(JobSnapshotSchema.safeParse(failed).success).toBe(false);
    expect(JobSnapshotSchema.safeParse({ ...failed, error: { ...failed.error, code: 'DISK_FULL' } }).success).toBe(true);
  });
});
