/**
 * Timestamp text as DOCSight stores it: UTC `YYYY-MM-DDTHH:MM:SSZ` for timestamps, `YYYY-MM-DD` for
 * dates, and the demo weather exception `YYYY-MM-DD HH:MM:SSZ` (a space instead of the `T`).
 */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** `2026-10-27T07:07:03Z` (whole seconds, UTC). */
export function formatUtcTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** `2026-10-27` (UTC). */
export function formatUtcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `2026-10-27 07:00:00Z`: how DOCSight's demo seeder writes weather rows. */
export function formatDemoWeatherTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** Midnight UTC of the day containing `ms`. */
export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
