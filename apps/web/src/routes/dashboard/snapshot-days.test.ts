import { describe, expect, it } from 'vitest';
import { fillSnapshotDays } from './snapshot-days.ts';

describe('fillSnapshotDays', () => {
  it('fills the days without snapshots with zero, so a gap shows, and counts them', () => {
    const summary = fillSnapshotDays([
      { day: '2026-02-27', snapshots: 96 },
      { day: '2026-03-02', snapshots: 40 },
      { day: '2026-02-28', snapshots: 12 },
    ]);
    expect(summary.days).toEqual([
      { day: '2026-02-27', snapshots: 96 },
      { day: '2026-02-28', snapshots: 12 },
      { day: '2026-03-01', snapshots: 0 },
      { day: '2026-03-02', snapshots: 40 },
    ]);
    expect(summary).toMatchObject({ withData: 3, gaps: 1, max: 96 });
  });

  it('gives nothing for no snapshots and skips days it cannot read', () => {
    expect(fillSnapshotDays([])).toEqual({ days: [], withData: 0, gaps: 0, max: 0 });
    expect(fillSnapshotDays([{ day: 'garbage', snapshots: 3 }]).days).toEqual([]);
  });
});
