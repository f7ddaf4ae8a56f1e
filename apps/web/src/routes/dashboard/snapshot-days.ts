/**
 * The snapshots-per-day series for the chart: the server sends only days that have snapshots
 * (dashboard counts worker), this fills every day between the first and the last with its count,
 * zero for a day without any, so gaps in the collection show as gaps.
 */

/** One UTC day (`YYYY-MM-DD`) and its snapshots. */
export interface SnapshotDay {
  day: string;
  snapshots: number;
}

/** What the chart's text alternative says: days with data, days without, the busiest day's count. */
export interface SnapshotDaysSummary {
  days: SnapshotDay[];
  withData: number;
  gaps: number;
  max: number;
}

const DAY_MS = 86_400_000;
/** Days drawn at most (about 27 years); a longer span means a broken clock, not a history. */
const MAX_DAYS = 10_000;

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Every day from the first to the last of `perDay` (sorted or not), each with its count. */
export function fillSnapshotDays(perDay: readonly SnapshotDay[]): SnapshotDaysSummary {
  const counts = new Map<string, number>();
  for (const entry of perDay) {
    if (Number.isNaN(Date.parse(`${entry.day}T00:00:00Z`))) continue;
    counts.set(entry.day, (counts.get(entry.day) ?? 0) + entry.snapshots);
  }
  const known = [...counts.keys()].sort();
  const first = known[0];
  const last = known.at(-1);
  if (first === undefined || last === undefined) return { days: [], withData: 0, gaps: 0, max: 0 };
  const start = Date.parse(`${first}T00:00:00Z`);
  const end = Math.min(Date.parse(`${last}T00:00:00Z`), start + (MAX_DAYS - 1) * DAY_MS);
  const days: SnapshotDay[] = [];
  for (let at = start; at <= end; at += DAY_MS) {
    const day = dayOf(at);
    days.push({ day, snapshots: counts.get(day) ?? 0 });
  }
  const withData = days.filter((entry) => entry.snapshots > 0).length;
  return { days, withData, gaps: days.length - withData, max: Math.max(...days.map((entry) => entry.snapshots)) };
}
