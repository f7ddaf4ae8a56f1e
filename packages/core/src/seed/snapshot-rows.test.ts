import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFixture, type ExtractedFixture } from '@evidence-locker/core/testing/db-fixture-archives';
import { planModemTimeline } from './modem-timeline.ts';
import { createPrng } from './prng.ts';
import { ANALYSIS_META_JSON, generateSnapshotRows, type SnapshotRow } from './snapshot-rows.ts';

interface FixtureSnapshot {
  summary_json: string;
  ds_channels_json: string;
  us_channels_json: string;
  raw_json: string;
  analysis_meta_json: string;
}

/** Every key path in a JSON value ("a.b[].c"), so shapes can be compared regardless of values. */
function keyPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keyPaths(item, `${prefix}[]`, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      out.add(`${prefix}.${key}`);
      keyPaths(child, `${prefix}.${key}`, out);
    }
  }
  return out;
}

function union(texts: string[]): string[] {
  const all = new Set<string>();
  for (const text of texts) keyPaths(JSON.parse(text), '', all);
  return [...all].sort();
}

const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('generateSnapshotRows', () => {
  let fixture: ExtractedFixture;
  let real: FixtureSnapshot[];
  let generated: SnapshotRow[];

  beforeAll(() => {
    fixture = extractFixture('a-real-1m');
    const db = new BetterSqlite3(path.join(fixture.dir, 'docsis_history.db'), { readonly: true });
    real = db
      .prepare('SELECT summary_json, ds_channels_json, us_channels_json, raw_json, analysis_meta_json FROM snapshots')
      .all() as FixtureSnapshot[];
    db.close();
    const timeline = planModemTimeline(createPrng(3).fork('timeline'), Date.UTC(2026, 9, 27, 7, 7, 3), 2880);
    generated = [...generateSnapshotRows(createPrng(3), timeline, true)];
  });
  afterAll(() => fixture.cleanup());

  it('writes summary, channel and raw JSON with exactly the keys of real DOCSight rows', () => {
    for (const column of ['summary_json', 'ds_channels_json', 'us_channels_json', 'raw_json'] as const) {
      expect(union(generated.map((r) => r[column] as string)), column).toEqual(union(real.map((r) => r[column])));
    }
  });

  it('keeps the summary key order and stamps the analyzer meta of the fixture', () => {
    expect(Object.keys(JSON.parse(generated[0]!.summary_json))).toEqual(Object.keys(JSON.parse(real[0]!.summary_json)));
    expect(generated.every((r) => r.analysis_meta_json === ANALYSIS_META_JSON)).toBe(true);
    expect(ANALYSIS_META_JSON).toBe(real[0]!.analysis_meta_json);
  });

  it('writes rows within 25% of the real average size, with and without raw_json', () => {
    const channelBytes = (r: { summary_json: string; ds_channels_json: string; us_channels_json: string }) =>
      r.summary_json.length + r.ds_channels_json.length + r.us_channels_json.length;
    const realChannels = average(real.map(channelBytes));
    const realWithRaw = average(real.map((r) => channelBytes(r) + r.raw_json.length));
    const ours = average(generated.map(channelBytes));
    const oursWithRaw = average(generated.map((r) => channelBytes(r) + (r.raw_json as string).length));
    expect(ours / realChannels).toBeGreaterThan(0.75);
    expect(ours / realChannels).toBeLessThan(1.25);
    expect(oursWithRaw / realWithRaw).toBeGreaterThan(0.75);
    expect(oursWithRaw / realWithRaw).toBeLessThan(1.25);
  });

  it('stamps one row every 15 minutes in UTC text', () => {
    expect(generated[0]!.timestamp).toBe('2026-10-27T07:07:03Z');
    expect(generated[1]!.timestamp).toBe('2026-10-27T07:22:03Z');
    expect(generated.at(-1)!.timestamp).toBe('2026-11-26T06:52:03Z');
  });

  it('shows both healthy and degraded polls, as a real month does', () => {
    const healths = new Set(generated.map((r) => JSON.parse(r.summary_json).health));
    expect(healths).toEqual(new Set(['good', 'marginal']));
  });

  it('leaves raw_json empty for demo rows', () => {
    const timeline = planModemTimeline(createPrng(1), 0, 4);
    expect([...generateSnapshotRows(createPrng(1), timeline, false)].map((r) => r.raw_json)).toEqual([null, null, null, null]);
  });
});
