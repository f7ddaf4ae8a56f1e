import { describe, expect, it } from 'vitest';
import { restoredCounts } from './restored-counts.ts';

describe('restoredCounts', () => {
  it('names the tables people know, in order, and leaves out empty and unlisted ones', () => {
    const meta = {
      magic: 'docsight-backup',
      format_version: 1,
      tables: { snapshots: 2880, events: 19, speedtest_results: 0, weather_data: 744 },
      connection_monitor_tables: { connection_samples: 51840 },
    };
    expect(restoredCounts(meta)).toEqual([
      { key: 'restored.counts.snapshots', rows: 2880 },
      { key: 'restored.counts.events', rows: 19 },
      { key: 'restored.counts.connectionSamples', rows: 51840 },
    ]);
  });

  it('names nothing for a meta without row counts (DOCSight’s tables is optional)', () => {
    expect(restoredCounts({ magic: 'docsight-backup', format_version: 1 })).toEqual([]);
  });
});
