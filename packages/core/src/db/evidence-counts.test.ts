import { describe, expect, it } from 'vitest';
import { EvidenceCountsSchema, evidenceCounts } from './evidence-counts.ts';

describe('evidenceCounts', () => {
  it('names the evidence by kind from both databases and leaves bookkeeping tables out', () => {
    const counts = evidenceCounts(
      { _docsight_migrations: 12, snapshots: 2880, speedtest_results: 77, events: 19, journal_entries: 3, incidents: 1, api_tokens: 2 },
      { connection_targets: 2, connection_samples: 51840, traceroute_traces: 4, traceroute_hops: 40 },
    );
    expect(counts).toEqual({
      signalSnapshots: 2880,
      speedTests: 77,
      modemEvents: 19,
      journalEntries: 3,
      incidents: 1,
      journalAttachments: 0,
      broadbandMeasurements: 0,
      bqmGraphs: 0,
      weatherReadings: 0,
      connectionSamples: 51840,
      traceroutes: 4,
    });
    expect(EvidenceCountsSchema.parse(counts)).toEqual(counts);
  });

  it('counts nothing for an absent database and ignores values that are not row counts', () => {
    const counts = evidenceCounts({ snapshots: -1, events: 1.5, incidents: Number.NaN, ['__proto__']: 3 }, null);
    expect(Object.values(counts).every((value) => value === 0)).toBe(true);
  });
});
