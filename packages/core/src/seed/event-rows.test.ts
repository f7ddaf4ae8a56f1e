import { describe, expect, it } from 'vitest';
import { createEventDetector } from './event-rows.ts';
import { planModemTimeline } from './modem-timeline.ts';
import { createPrng } from './prng.ts';
import { generateSnapshotRows } from './snapshot-rows.ts';

function seedMonth(seed: number) {
  const timeline = planModemTimeline(createPrng(seed).fork('timeline'), Date.UTC(2026, 0, 1), 30 * 96);
  const detector = createEventDetector(timeline);
  const health = new Map<string, string>();
  for (const row of generateSnapshotRows(createPrng(seed), timeline, false, detector.observe)) {
    health.set(row.timestamp, JSON.parse(row.summary_json).health);
  }
  return { timeline, events: detector.events, health };
}

describe('createEventDetector', () => {
  it('opens with monitoring_started and reports each degradation at the snapshot where health changes', () => {
    const { timeline, events, health } = seedMonth(4);
    expect(events[0]).toMatchObject({ event_type: 'monitoring_started', severity: 'info', message: 'Monitoring started (Health: good)' });
    const changes = events.filter((e) => e.event_type === 'health_change');
    const recovered = timeline.degradations.filter((d) => d.to < timeline.polls).length;
    expect(changes.length).toBe(timeline.degradations.length + recovered);
    for (const change of changes) {
      const marginal = change.message.startsWith('Health changed');
      expect(health.get(change.timestamp)).toBe(marginal ? 'marginal' : 'good');
      expect(change.severity).toBe(marginal ? 'warning' : 'info');
    }
  });

  it('writes the details JSON of each event type as DOCSight does', () => {
    const { events } = seedMonth(4);
    const byType = new Map(events.map((e) => [e.event_type, e]));
    expect([...byType.keys()].sort()).toEqual([
      'channel_change',
      'error_spike',
      'health_change',
      'monitoring_started',
      'power_change',
      'snr_change',
    ]);
    expect(byType.get('power_change')!.details).toMatch(/^\{"direction": "downstream", "prev": \d+\.\d+, "current": \d+\.\d+\}$/);
    expect(byType.get('error_spike')!.details).toMatch(/^\{"prev": \d+, "current": \d+\}$/);
    expect(byType.get('channel_change')!.message).toMatch(/^DS channel count changed from 2[45] to 2[45]$/);
    const snr = JSON.parse(byType.get('snr_change')!.details);
    expect(Object.keys(snr)).toEqual(['prev', 'current', 'threshold', 'affected_channels']);
    expect(Object.keys(snr.affected_channels[0])).toEqual([
      'channel',
      'frequency',
      'docsis_version',
      'modulation',
      'prev',
      'current',
      'delta',
    ]);
  });

  it('keeps events in time order', () => {
    const { events } = seedMonth(8);
    const stamps = events.map((e) => e.timestamp);
    expect([...stamps].sort()).toEqual(stamps);
  });
});
