/**
 * DOCSight's `SpeedtestStorage._migrate_timestamps`, run right after the speedtest migrations: once
 * per database it rewrites offset-bearing `speedtest_results.timestamp` values
 * (`2026-01-02T03:04:05+01:00`) to UTC `YYYY-MM-DDTHH:MM:SSZ`, then records
 * `speedtest_meta('ts_migrated','1')`. A fresh DOCSight database therefore always holds that row.
 */
import type { Database } from 'better-sqlite3';

// Subset of Python's datetime.fromisoformat() that can carry a ±HH:MM offset.
const OFFSET_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?([+-])(\d{2}):(\d{2})$/;

/** `value` converted to UTC `YYYY-MM-DDTHH:MM:SSZ`, or undefined when it has no parsable offset. */
export function offsetTimestampToUtc(value: string): string | undefined {
  const match = OFFSET_TIMESTAMP.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, sign, oh, om] = match;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  const offsetMs = (Number(oh) * 60 + Number(om)) * 60_000 * (sign === '-' ? -1 : 1);
  const utc = new Date(local - offsetMs);
  if (Number.isNaN(utc.getTime())) return undefined;
  return `${utc.toISOString().slice(0, 19)}Z`;
}

/** Normalizes offset timestamps once and records `ts_migrated`; returns how many rows it rewrote. */
export function normalizeSpeedtestTimestamps(db: Database): number {
  return db
    .transaction(() => {
      const done = db.prepare("SELECT value FROM speedtest_meta WHERE key = 'ts_migrated'").get();
      if (done !== undefined) return 0;
      const rows = db
        .prepare('SELECT id, timestamp FROM speedtest_results ' + "WHERE timestamp GLOB '*[+-][0-9][0-9]:[0-9][0-9]'")
        .all() as { id: number; timestamp: string }[];
      const update = db.prepare('UPDATE speedtest_results SET timestamp = ? WHERE id = ?');
      let updated = 0;
      for (const row of rows) {
        const normalized = offsetTimestampToUtc(row.timestamp);
        if (normalized === undefined) continue;
        update.run(normalized, row.id);
        updated += 1;
      }
      db.exec("INSERT OR REPLACE INTO speedtest_meta (key, value) VALUES ('ts_migrated', '1')");
      return updated;
    })
    .immediate();
}
