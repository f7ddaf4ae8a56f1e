/**
 * `events` rows as DOCSight's event detector writes them while polling: monitoring start, health
 * changes and recoveries, DS power shifts, uncorrectable error spikes, SNR drops below the warning
 * threshold and DS channel count changes. The detector watches the same readings the snapshots are
 * made of, so every event matches the snapshot rows around it.
 */
import type { ModemReading } from './modem-signal.ts';
import { type ModemTimeline, POLL_MS } from './modem-timeline.ts';
import { toPyJson } from './python-repr.ts';
import { formatUtcTimestamp } from './utc-time.ts';

export interface EventRow {
  timestamp: string;
  severity: 'info' | 'warning' | 'critical';
  event_type: string;
  message: string;
  details: string;
}

interface PollSummary {
  health: string;
  ds_power_avg: number;
  ds_uncorrectable_errors: number;
  ds_total: number;
}

const FLOAT_DETAILS: ReadonlySet<string> = new Set(['prev', 'current', 'delta']);

/** Collects events while `observe` is called once per poll, in order. */
export function createEventDetector(timeline: ModemTimeline) {
  const events: EventRow[] = [];
  const degradationStarts = new Map(timeline.degradations.map((d) => [d.from, d]));
  const dipStarts = new Map(timeline.snrDips.map((d) => [d.from, d]));
  let previous: { summary: PollSummary; reading: ModemReading } | undefined;
  let beforeDegradation: PollSummary | undefined;
  let spikeReported = true;

  const add = (poll: number, severity: EventRow['severity'], type: string, message: string, details: unknown, floats = false) => {
    events.push({
      timestamp: formatUtcTimestamp(timeline.startMs + poll * POLL_MS),
      severity,
      event_type: type,
      message,
      details: toPyJson(details, { floatKeys: floats ? FLOAT_DETAILS : new Set() }),
    });
  };

  return {
    events,
    observe: (poll: number, summary: PollSummary, reading: ModemReading): void => {
      if (!previous) {
        add(poll, 'info', 'monitoring_started', `Monitoring started (Health: ${summary.health})`, { health: summary.health });
      } else {
        const prev = previous.summary;
        if (prev.health !== summary.health) {
          const recovered = summary.health === 'good';
          add(
            poll,
            recovered ? 'info' : 'warning',
            'health_change',
            recovered
              ? `Health recovered from ${prev.health} to ${summary.health}`
              : `Health changed from ${prev.health} to ${summary.health}`,
            { prev: prev.health, current: summary.health },
          );
        }
        if (degradationStarts.has(poll)) {
          beforeDegradation = prev;
          spikeReported = false;
        }
        if (beforeDegradation && degradationStarts.has(poll - 1)) {
          add(
            poll,
            'warning',
            'power_change',
            `DS power avg shifted from ${beforeDegradation.ds_power_avg} to ${summary.ds_power_avg} dBmV`,
            { direction: 'downstream', prev: beforeDegradation.ds_power_avg, current: summary.ds_power_avg },
            true,
          );
        }
        const jump = summary.ds_uncorrectable_errors - (beforeDegradation?.ds_uncorrectable_errors ?? 0);
        if (!spikeReported && beforeDegradation && jump >= 50) {
          spikeReported = true;
          add(poll, 'warning', 'error_spike', `Uncorrectable errors jumped by ${jump}`, {
            prev: beforeDegradation.ds_uncorrectable_errors,
            current: summary.ds_uncorrectable_errors,
          });
        }
        const dip = dipStarts.get(poll);
        const channel = dip && reading.ds.find((c) => c.channel_id === dip.channelIndex + 1);
        const before = channel && previous.reading.ds.find((c) => c.channel_id === channel.channel_id);
        if (channel && before) {
          const delta = Math.round((channel.snr - before.snr) * 10) / 10;
          add(
            poll,
            'warning',
            'snr_change',
            `DS SNR min dropped to ${channel.snr} dB (warning threshold: 33)`,
            {
              prev: before.snr,
              current: channel.snr,
              threshold: 'warning',
              affected_channels: [
                {
                  channel: channel.channel_id,
                  frequency: `${parseInt(channel.frequency, 10)} MHz`,
                  docsis_version: channel.docsis_version,
                  modulation: channel.modulation,
                  prev: before.snr,
                  current: channel.snr,
                  delta,
                },
              ],
            },
            true,
          );
        }
        if (prev.ds_total !== summary.ds_total) {
          add(poll, 'info', 'channel_change', `DS channel count changed from ${prev.ds_total} to ${summary.ds_total}`, {
            direction: 'downstream',
            prev: prev.ds_total,
            current: summary.ds_total,
          });
        }
      }
      previous = { summary, reading };
    },
  };
}
