/**
 * `snapshots` rows: one per 15-minute poll, with the channel JSON DOCSight stores (Python
 * `json.dumps` text, floats as floats), the analyzer's `analysis_meta_json`, and, for rows a
 * modem collector wrote, the modem's raw answer in `raw_json` (a FRITZ!Box `channelDs/channelUs`
 * document: compact separators, sorted keys).
 */
import type { Prng } from './prng.ts';
import { createModemSignal, type DsChannel, type ModemReading, type UsChannel } from './modem-signal.ts';
import { POLL_MS, type ModemTimeline } from './modem-timeline.ts';
import { pyFloat, round1, toPyJson } from './python-repr.ts';
import { buildSnapshotSummary, SUMMARY_FLOAT_KEYS, type SnapshotSummary } from './snapshot-summary.ts';
import { formatUtcTimestamp } from './utc-time.ts';

/** DOCSight's analyzer stamp at the commit docs/docsight-compatibility.md describes. */
export const ANALYSIS_META_JSON =
  '{"analyzer_schema": 3, "app_version": "v2026-08-21.1", "threshold_profile": {"id": "docsight.thresholds_vfkd", "version": "1.1.0"}}';

/** `ds_channels_json`: written by hand because it is the bulk of every row (speed matters). */
export function formatDsChannels(ds: DsChannel[]): string {
  let out = '[';
  for (let i = 0; i < ds.length; i++) {
    const c = ds[i] as DsChannel;
    out += `${i ? ', ' : ''}{"channel_id": ${c.channel_id}, "frequency": "${c.frequency}", "power": ${pyFloat(c.power)}, "modulation": "${c.modulation}", "snr": ${pyFloat(c.snr)}, "correctable_errors": ${c.correctable_errors}, "uncorrectable_errors": ${c.uncorrectable_errors}, "docsis_version": "${c.docsis_version}", "health": "${c.health}", "health_detail": "${c.health_detail}"}`;
  }
  return `${out}]`;
}

/** `us_channels_json`, key order as DOCSight's parser emits it. */
export function formatUsChannels(us: UsChannel[]): string {
  let out = '[';
  for (let i = 0; i < us.length; i++) {
    const c = us[i] as UsChannel;
    const profile = c.profile_modulation === undefined ? '' : `, "profile_modulation": "${c.profile_modulation}"`;
    const bitrate = c.theoretical_bitrate === null ? 'null' : pyFloat(c.theoretical_bitrate);
    const powerHealth = c.power_health === undefined ? '' : `, "power_health": "${c.power_health}"`;
    out += `${i ? ', ' : ''}{"channel_id": ${c.channel_id}, "frequency": "${c.frequency}", "power": ${pyFloat(c.power)}, "modulation": "${c.modulation}"${profile}, "multiplex": "${c.multiplex}", "docsis_version": "${c.docsis_version}", "health": "${c.health}", "health_detail": "${c.health_detail}", "theoretical_bitrate": ${bitrate}${powerHealth}}`;
  }
  return `${out}]`;
}

export interface SnapshotRow {
  timestamp: string;
  summary_json: string;
  ds_channels_json: string;
  us_channels_json: string;
  raw_json: string | null;
  analysis_meta_json: string;
}

/** The FRITZ!Box raw document behind a reading (what the collector fetched before parsing). */
export function formatRawJson(ds: DsChannel[], us: UsChannel[]): string {
  const ds30: string[] = [];
  const ds31: string[] = [];
  for (const c of ds) {
    const common = `"channelID":${c.channel_id},"corrErrors":${c.correctable_errors},"frequency":"${c.frequency}"`;
    const power = pyFloat(round1(c.power));
    if (c.docsis_version === '3.0') {
      ds30.push(
        `{${common},"modulation":"${c.modulation}","mse":${pyFloat(-c.snr)},"nonCorrErrors":${c.uncorrectable_errors},"powerLevel":${power}}`,
      );
    } else {
      ds31.push(
        `{${common},"mer":${pyFloat(c.snr)},"modulation":"${c.modulation}","nonCorrErrors":${c.uncorrectable_errors},"powerLevel":${power}}`,
      );
    }
  }
  const us30: string[] = [];
  const us31: string[] = [];
  for (const c of us) {
    const head = `"channelID":${c.channel_id},"frequency":"${c.frequency}","modulation":"${c.modulation}","multiplex":"${c.multiplex}","powerLevel":${pyFloat(round1(c.power))}`;
    if (c.multiplex === 'SC-QAM') us30.push(`{${head},"type":"${c.modulation}"}`);
    else us31.push(`{${head},"profile_modulation":"${c.profile_modulation}","type":"OFDMA"}`);
  }
  return `{"channelDs":{"docsis30":[${ds30.join(',')}],"docsis31":[${ds31.join(',')}]},"channelUs":{"docsis30":[${us30.join(',')}],"docsis31":[${us31.join(',')}]}}`;
}

/** Formats one reading (and its summary, see `buildSnapshotSummary`) as a row. */
export function formatSnapshotRow(ms: number, reading: ModemReading, summary: SnapshotSummary, withRaw: boolean): SnapshotRow {
  return {
    timestamp: formatUtcTimestamp(ms),
    summary_json: toPyJson(summary, { floatKeys: SUMMARY_FLOAT_KEYS }),
    ds_channels_json: formatDsChannels(reading.ds),
    us_channels_json: formatUsChannels(reading.us),
    raw_json: withRaw ? formatRawJson(reading.ds, reading.us) : null,
    analysis_meta_json: ANALYSIS_META_JSON,
  };
}

/** Called with every poll's reading and summary, e.g. by the event detector. */
export type ReadingObserver = (poll: number, summary: SnapshotSummary, reading: ModemReading) => void;

/**
 * Yields the snapshot rows of the whole timeline in time order, one at a time, so the caller can
 * insert in batches without holding hundreds of megabytes of JSON.
 */
export function* generateSnapshotRows(
  prng: Prng,
  timeline: ModemTimeline,
  withRaw: boolean,
  observe?: ReadingObserver,
): Generator<SnapshotRow> {
  const modem = createModemSignal(prng, timeline);
  for (let poll = 0; poll < timeline.polls; poll++) {
    const reading = modem.read(poll);
    const summary = buildSnapshotSummary(reading);
    observe?.(poll, summary, reading);
    yield formatSnapshotRow(timeline.startMs + poll * POLL_MS, reading, summary, withRaw);
  }
}
