/**
 * The `summary_json` DOCSight's analyzer stores with each snapshot: totals, power/SNR ranges, error
 * sums, upstream capacity and the per-family "signal_families" breakdown (key order as DOCSight's).
 */
import type { DsChannel, ModemReading, UsChannel } from './modem-signal.ts';
import { round1, toPyJson } from './python-repr.ts';

const HEALTH_ORDER = ['good', 'tolerated', 'warning', 'critical'] as const;
const MODULATION_ORDER = ['16QAM', '64QAM', '256QAM', '512QAM', '1024QAM', '2048QAM', '4096QAM'];

/** Keys whose numbers DOCSight writes as floats. */
export const SUMMARY_FLOAT_KEYS: ReadonlySet<string> = new Set([
  'ds_power_min',
  'ds_power_max',
  'ds_power_avg',
  'us_power_min',
  'us_power_max',
  'us_power_avg',
  'ds_snr_min',
  'ds_snr_avg',
  'us_capacity_mbps',
  'min',
  'avg',
  'max',
  'value',
  'ds_scqam_power_avg',
  'ds_scqam_snr_avg',
  'ds_ofdm_power_avg',
  'ds_ofdm_mer_avg',
  'us_scqam_power_avg',
  'us_ofdma_power_avg',
]);

type Channel = DsChannel | UsChannel;

function stats(values: number[]) {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min: round1(min), avg: round1(sum / values.length), max: round1(max) };
}

function worst(healths: string[]): string {
  let index = 0;
  for (const h of healths) index = Math.max(index, HEALTH_ORDER.indexOf(h as (typeof HEALTH_ORDER)[number]));
  return HEALTH_ORDER[index] as string;
}

function family(name: string, direction: string, channels: Channel[], metric?: 'snr' | 'mer') {
  const health = worst(channels.map((c) => c.health));
  const counts = { good: 0, tolerated: 0, warning: 0, critical: 0 };
  for (const c of channels) counts[c.health as keyof typeof counts]++;
  const driver = channels.find((c) => c.health === health && health !== 'good');
  const modulations = channels.map((c) => ('profile_modulation' in c && c.profile_modulation) || c.modulation);
  const distinct = [...new Set(modulations)].sort((a, b) => MODULATION_ORDER.indexOf(a) - MODULATION_ORDER.indexOf(b));
  const out: Record<string, unknown> = {
    family: name,
    count: channels.length,
    health,
    health_cause: driver ? 'power' : null,
    health_counts: counts,
    health_driver: driver
      ? { channel_id: driver.channel_id, dimension: 'power', family: name, direction, health, unit: 'dBmV', value: round1(driver.power) }
      : null,
    power: { available: true, ...stats(channels.map((c) => c.power)), health },
    modulation: {
      available: true,
      value: distinct[0],
      secondary: distinct[1] ?? null,
      distinct,
      values: distinct.map((value) => ({ value, health: 'good' })),
      health: 'good',
    },
  };
  if (metric) out[metric] = { available: true, ...stats(channels.map((c) => (c as DsChannel).snr)), health: 'good' };
  return out;
}

/** The summary; the figures the event detector reads are typed, the rest is passed through. */
export interface SnapshotSummary {
  ds_total: number;
  ds_power_avg: number;
  ds_uncorrectable_errors: number;
  health: string;
  [key: string]: unknown;
}

/** Builds the summary object for one reading. */
export function buildSnapshotSummary(reading: ModemReading): SnapshotSummary {
  const { ds, us } = reading;
  const dsScqam = ds.filter((c) => c.docsis_version === '3.0');
  const dsOfdm = ds.filter((c) => c.docsis_version === '3.1');
  const usScqam = us.filter((c) => c.multiplex === 'SC-QAM');
  const usOfdma = us.filter((c) => c.multiplex === 'OFDMA');
  const dsPower = stats(ds.map((c) => c.power));
  const usPower = stats(us.map((c) => c.power));
  const dsSnr = stats(ds.map((c) => c.snr));
  const downstream = { sc_qam: family('sc_qam', 'downstream', dsScqam, 'snr'), ofdm: family('ofdm', 'downstream', dsOfdm, 'mer') };
  const upstream = { sc_qam: family('sc_qam', 'upstream', usScqam), ofdma: family('ofdma', 'upstream', usOfdma) };
  let capacity = 0;
  let corrected = 0;
  let uncorrected = 0;
  for (const c of us) capacity += c.theoretical_bitrate ?? 0;
  for (const c of ds) {
    corrected += c.correctable_errors;
    uncorrected += c.uncorrectable_errors;
  }
  return {
    ds_total: ds.length,
    us_total: us.length,
    ds_power_min: dsPower.min,
    ds_power_max: dsPower.max,
    ds_power_avg: dsPower.avg,
    us_power_min: usPower.min,
    us_power_max: usPower.max,
    us_power_avg: usPower.avg,
    ds_snr_min: dsSnr.min,
    ds_snr_avg: dsSnr.avg,
    ds_correctable_errors: corrected,
    ds_uncorrectable_errors: uncorrected,
    us_capacity_mbps: round1(capacity),
    signal_families: {
      downstream: { health: worst([downstream.sc_qam.health as string, downstream.ofdm.health as string]), families: downstream },
      upstream: { health: worst([upstream.sc_qam.health as string, upstream.ofdma.health as string]), families: upstream },
    },
    ds_scqam_power_avg: stats(dsScqam.map((c) => c.power)).avg,
    ds_scqam_snr_avg: stats(dsScqam.map((c) => c.snr)).avg,
    ds_ofdm_power_avg: stats(dsOfdm.map((c) => c.power)).avg,
    ds_ofdm_mer_avg: stats(dsOfdm.map((c) => c.snr)).avg,
    us_scqam_power_avg: stats(usScqam.map((c) => c.power)).avg,
    us_ofdma_power_avg: stats(usOfdma.map((c) => c.power)).avg,
    health: reading.degraded ? 'marginal' : 'good',
    health_issues: [],
  };
}

/** `summary_json` text for one reading. */
export function formatSnapshotSummary(reading: ModemReading): string {
  return toPyJson(buildSnapshotSummary(reading), { floatKeys: SUMMARY_FLOAT_KEYS });
}
