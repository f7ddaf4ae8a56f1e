import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { normalizeSpeedtestTimestamps, offsetTimestampToUtc } from './speedtest-timestamps.ts';

describe('speedtest timestamp normalization', () => {
  it('converts offset timestamps to UTC Z, dropping fractions like DOCSight', () => {
    expect(offsetTimestampToUtc('2026-01-02T00:30:00+02:00')).toBe('2026-01-01T22:30:00Z');
    expect(offsetTimestampToUtc('2026-01-02 23:30:00.123-01:30')).toBe('2026-01-03T01:00:00Z');
    expect(offsetTimestampToUtc('2026-01-02T00:30:00Z')).toBeUndefined();
    expect(offsetTimestampToUtc('garbage+01:00')).toBeUndefined();
  });

  it('runs only once per database, then leaves rows alone', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE speedtest_results (id INTEGER PRIMARY KEY, timestamp TEXT NOT NULL);
      CREATE TABLE speedtest_meta (key TEXT PRIMARY KEY, value TEXT);
      INSERT INTO speedtest_results VALUES (1, '2026-01-02T10:00:00+01:00'), (2, '2026-01-02T10:00:00Z')`);
    expect(normalizeSpeedtestTimestamps(db)).toBe(1);
    db.exec("INSERT INTO speedtest_results VALUES (3, '2026-01-02T10:00:00+01:00')");
    expect(normalizeSpeedtestTimestamps(db)).toBe(0);
    expect(db.prepare('SELECT timestamp FROM speedtest_results ORDER BY id').pluck().all()).toEqual([
      '2026-01-02T09:00:00Z',
      '2026-01-02T10:00:00Z',
      '2026-01-02T10:00:00+01:00',
    ]);
    expect(db.prepare("SELECT value FROM speedtest_meta WHERE key='ts_migrated'").pluck().get()).toBe('1');
  });
});
