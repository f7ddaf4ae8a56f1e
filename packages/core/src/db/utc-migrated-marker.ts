/**
 * DOCSight's one-time local→UTC conversion (`migrate_to_utc`, `app/storage/cleanup.py`) runs at
 * start-up unless `_docsight_meta` holds `tz_migrated = '<IANA tz>|<YYYY-MM-DDTHH:MM:SSZ>'`.
 * Recording the marker tells DOCSight the timestamps are UTC already, as they are in every
 * database DOCSight itself made.
 */
import type { Database } from 'better-sqlite3';

/** UTC `YYYY-MM-DDTHH:MM:SSZ` (DOCSight's `utc_now()`). */
export function utcSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * Inserts `tz_migrated` when absent and returns true; leaves an existing marker alone (false).
 * `timezone` is DOCSight's configured IANA name (`''` when none); `now` defaults to the current time.
 */
export function recordUtcMigrated(db: Database, timezone: string, now: Date = new Date()): boolean {
  const result = db
    .prepare("INSERT OR IGNORE INTO _docsight_meta (key, value) VALUES ('tz_migrated', ?)")
    .run(`${timezone}|${utcSeconds(now)}`);
  return result.changes > 0;
}
