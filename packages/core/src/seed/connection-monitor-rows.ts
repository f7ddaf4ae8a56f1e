/**
 * Connection Monitor rows (`connection_monitor.db`): the three default targets (gateway,
 * Cloudflare DNS, Google DNS), a TCP probe of each every 10 seconds with evening load, rare
 * latency spikes and timeouts, and five traceroutes with their hops. Timestamps are REAL epoch
 * seconds with microseconds, as DOCSight's `time.time()` writes them.
 */
import { createHash } from 'node:crypto';
import type { Prng } from './prng.ts';
import { round2 } from './python-repr.ts';

export const SAMPLE_INTERVAL_S = 10;
export const SAMPLES_PER_DAY = 86_400 / SAMPLE_INTERVAL_S;

export interface TargetRow {
  label: string;
  host: string;
  created_at: number;
}

export interface SampleRow {
  /** 1-based target position (the target's id on a fresh table). */
  target: number;
  timestamp: number;
  latency_ms: number | null;
  timeout: 0 | 1;
}

export interface TraceRow {
  target: number;
  timestamp: number;
  trigger_reason: string;
  hop_count: number;
  route_fingerprint: string;
  reached_target: 1;
  hops: HopRow[];
}

export interface HopRow {
  hop_index: number;
  hop_ip: string | null;
  hop_host: string | null;
  latency_ms: number | null;
  probes_responded: number;
}

const TARGETS: ReadonlyArray<readonly [string, string, number, number]> = [
  // label, host, base latency, evening extra
  ['Gateway', '192.168.178.1', 1.5, 0.3],
  ['Cloudflare DNS', '1.1.1.1', 12.5, 6],
  ['Google DNS', '8.8.8.8', 15.2, 6],
];

const COMMON_HOPS: ReadonlyArray<readonly [string, string | null, number]> = [
  ['192.168.178.1', 'fritz.box', 1.2],
  ['62.155.243.1', 'dslam-ffm.telekom.de', 5.7],
  ['62.157.250.22', 'cr-ffm01.telekom.de', 7.9],
  ['62.157.250.89', 'cr-ffm02.telekom.de', 8.8],
  ['80.156.160.178', 'decix-peer.telekom.de', 10.1],
];
const ROUTE_TAILS: Record<number, ReadonlyArray<readonly [string | null, string | null, number]>> = {
  2: [
    ['172.71.128.2', 'cloudflare-ic.decix.net', 11],
    ['172.71.128.34', null, 11.5],
    ['104.16.132.229', 'one.one.one.one', 11.5],
    [null, null, 0],
    ['172.71.0.150', null, 12],
    ['1.1.1.1', 'one.one.one.one', 12.3],
  ],
  3: [
    ['209.85.149.32', 'google-ic.decix.net', 11],
    ['108.170.236.57', null, 12],
    ['142.251.51.15', null, 13.4],
    [null, null, 0],
    ['108.170.232.97', null, 14],
    ['142.250.236.131', null, 13.9],
    ['8.8.8.8', 'dns.google', 14.4],
  ],
};
/** target, hours before now, trigger: DOCSight's five demo traces. */
const TRACES: ReadonlyArray<readonly [number, number, string]> = [
  [2, 121, 'outage'],
  [2, 60, 'packet_loss'],
  [2, 12, 'manual'],
  [3, 97, 'outage'],
  [3, 31, 'manual'],
];

const micro = (seconds: number) => Math.round(seconds * 1e6) / 1e6;

/** The three targets, created at `createdAt` (epoch seconds). */
export function connectionTargets(createdAt: number): TargetRow[] {
  return TARGETS.map(([label, host], i) => ({ label, host, created_at: micro(createdAt + i * 0.0009) }));
}

/**
 * Yields samples for `days` days ending just before `nowS`, one tick (three samples) every 10 s,
 * oldest first.
 */
export function* generateSamples(prng: Prng, nowS: number, days: number): Generator<SampleRow> {
  const ticks = Math.round(days * SAMPLES_PER_DAY);
  // time.time() stamps: the probe loop runs at an arbitrary sub-second phase.
  const first = nowS - 17 - (ticks - 1) * SAMPLE_INTERVAL_S + prng.int(0, 999_999) / 1e6;
  let outageLeft = 0;
  for (let k = 0; k < ticks; k++) {
    const timestamp = micro(first + k * SAMPLE_INTERVAL_S);
    const hour = (timestamp / 3600) % 24;
    const evening = hour >= 18 && hour < 23 ? 1 : 0;
    if (outageLeft === 0 && prng.chance(0.00015)) outageLeft = prng.int(3, 12);
    const upstreamDown = outageLeft > 0;
    if (outageLeft > 0) outageLeft--;
    for (let t = 0; t < TARGETS.length; t++) {
      const [, , base, extra] = TARGETS[t] as readonly [string, string, number, number];
      const internet = t > 0;
      if (internet && (upstreamDown || prng.chance(0.003 + evening * 0.003))) {
        yield { target: t + 1, timestamp, latency_ms: null, timeout: 1 };
        continue;
      }
      let latency = internet ? base + evening * extra * prng.next() + prng.gauss(2.8, 2) : base + prng.gauss(0.4, 0.4);
      if (internet && prng.chance(0.002)) latency += prng.range(40, 250);
      latency = internet ? Math.max(base - 3.5, latency) : Math.min(3, Math.max(0.8, latency));
      yield { target: t + 1, timestamp, latency_ms: round2(latency), timeout: 0 };
    }
  }
}

/** The five traceroutes, spread over the last `days` days before `nowS`. */
export function generateTraces(prng: Prng, nowS: number, days: number): TraceRow[] {
  const scale = Math.min(1, days / 7);
  const phase = prng.int(0, 999_999) / 1e6;
  return TRACES.map(([target, hoursAgo, trigger]) => {
    const route = [...COMMON_HOPS, ...(ROUTE_TAILS[target] ?? [])];
    const hops: HopRow[] = route.map(([ip, host, latency], i) => ({
      hop_index: i + 1,
      hop_ip: ip,
      hop_host: host,
      latency_ms: ip === null ? null : round2(latency + prng.gauss(0, 0.4)),
      probes_responded: ip === null ? 0 : prng.chance(0.9) ? 3 : prng.int(1, 2),
    }));
    const fingerprint = createHash('sha256')
      .update(route.map(([ip]) => ip ?? '*').join('>'))
      .digest('hex')
      .slice(0, 16);
    return {
      target,
      timestamp: micro(nowS - 7 - hoursAgo * 3600 * scale + phase),
      trigger_reason: trigger,
      hop_count: hops.length,
      route_fingerprint: fingerprint,
      reached_target: 1 as const,
      hops,
    };
  });
}
