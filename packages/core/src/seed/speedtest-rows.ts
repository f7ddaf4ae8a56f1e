/**
 * `speedtest_results`: three scheduled tests a day (08, 14 and 21 h, DOCSight's
 * `DEMO_SPEEDTEST_HOURS`), each run with probability 0.85, ids from 1 (the table keeps
 * Speedtest-Tracker's ids). Evening and degraded-line results fall below the 250 Mbit/s tariff.
 */
import type { Prng } from './prng.ts';
import { type ModemTimeline, POLL_MS, SpanCursor } from './modem-timeline.ts';
import { round1, round2 } from './python-repr.ts';
import { DAY_MS, HOUR_MS, formatUtcTimestamp, startOfUtcDay } from './utc-time.ts';

export const SPEEDTEST_HOURS = [8, 14, 21] as const;

const SERVERS: ReadonlyArray<readonly [number, string]> = [
  [12345, 'Vodafone DE - Frankfurt'],
  [23456, 'Deutsche Telekom - Berlin'],
  [34567, '1&1 Versatel - Dusseldorf'],
];

export interface SpeedtestRow {
  id: number;
  timestamp: string;
  download_mbps: number;
  upload_mbps: number;
  download_human: string;
  upload_human: string;
  ping_ms: number;
  jitter_ms: number;
  packet_loss_pct: number;
  server_id: number;
  server_name: string;
}

/** Speed tests between the timeline's start and `endMs`, in time order. */
export function generateSpeedtests(prng: Prng, timeline: ModemTimeline, endMs: number): SpeedtestRow[] {
  const rows: SpeedtestRow[] = [];
  const degradations = new SpanCursor(timeline.degradations);
  for (let day = startOfUtcDay(timeline.startMs); day < endMs; day += DAY_MS) {
    for (const hour of SPEEDTEST_HOURS) {
      const ms = day + hour * HOUR_MS + prng.int(0, 59 * 60 + 59) * 1000;
      const ran = prng.chance(0.85);
      if (!ran || ms < timeline.startMs || ms >= endMs) continue;
      const degraded = degradations.at(Math.floor((ms - timeline.startMs) / POLL_MS)) !== undefined;
      const slow = degraded || (hour === 21 && prng.chance(0.25));
      const download = round2(slow ? prng.range(165, 205) : Math.min(268, prng.gauss(246, 10)));
      const upload = round2(slow ? prng.range(30, 37) : Math.min(44, prng.gauss(39, 2)));
      const [serverId, serverName] = prng.pick(SERVERS);
      rows.push({
        id: rows.length + 1,
        timestamp: formatUtcTimestamp(ms),
        download_mbps: download,
        upload_mbps: upload,
        download_human: `${download.toFixed(2)} Mbps`,
        upload_human: `${upload.toFixed(2)} Mbps`,
        ping_ms: round1(Math.max(7, prng.gauss(slow ? 19 : 11.5, 2.5))),
        jitter_ms: round1(prng.range(1.4, 4.0)),
        packet_loss_pct: slow && prng.chance(0.5) ? round1(prng.range(0.2, 2.0)) : 0,
        server_id: serverId,
        server_name: serverName,
      });
    }
  }
  return rows;
}
