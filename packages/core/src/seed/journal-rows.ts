/**
 * `journal_entries` and `incidents`: the notes a user keeps while collecting evidence, and the
 * incidents that group them. DOCSight's demo writes 12 entries and 3 incidents over 270 days; a
 * user's journal grows at about the same pace. Entries inside an incident's date range are
 * assigned to it (`incident_id`), as DOCSight's demo does.
 */
import type { Prng } from './prng.ts';
import { DAY_MS, HOUR_MS, formatUtcDate, formatUtcTimestamp, startOfUtcDay } from './utc-time.ts';

export interface IncidentRow {
  name: string;
  description: string;
  status: 'open' | 'resolved';
  start_date: string;
  end_date: string | null;
  icon: null;
  created_at: string;
  updated_at: string;
}

export interface JournalRow {
  date: string;
  title: string;
  description: string;
  icon: null;
  /** 1-based position in the incident list, i.e. the incident's row id on a fresh table. */
  incident_index: number | null;
  created_at: string;
  updated_at: string;
}

const ENTRIES: ReadonlyArray<readonly [string, string]> = [
  [
    'Speedtest results consistently below tariff',
    'Multiple speedtests showing 180-200 Mbps instead of booked 250.\nCorrelated with elevated DS power levels during these times.\nGathering evidence for potential BNetzA complaint.',
  ],
  [
    'Uncorrectable error spike after firmware update',
    'Router rebooted for firmware update at 03:00 AM.\nUncorrectable errors spiked to ~850 across multiple DS channels.\nErrors stabilized after ~4 hours. Monitoring for recurrence.',
  ],
  [
    'Brief upstream power fluctuation',
    'US power jumped from 44.8 to 46.3 dBmV for about 2 hours.\nPossibly related to temperature changes in the building.\nNo impact on speeds observed.',
  ],
  [
    'Called ISP support hotline',
    'Reported the recurring evening slowdowns (ticket opened).\nSupport ran a remote line check and saw no fault on their side.\nThey asked for measurements over the next two weeks.',
  ],
  [
    'Technician visit scheduled',
    'ISP confirmed a technician appointment for next week between 08:00 and 12:00.\nPrepared DOCSight export with channel history and speedtests.',
  ],
  [
    'Technician replaced the wall outlet',
    'Technician measured -2 dB at the outlet and replaced it together with the coax cable.\nDS power back to ~5 dBmV, SNR above 37 dB on all channels.',
  ],
  [
    'DS channel 14 dropped for a few hours',
    'One SC-QAM channel disappeared from the channel list in the evening and came back after a few hours.\nNo reboot on the modem side.',
  ],
  [
    'Packet loss during video calls',
    'Several video calls froze between 19:00 and 22:00.\nConnection monitor shows packet loss to 1.1.1.1 and 8.8.8.8 at the same time, gateway fine.',
  ],
  [
    'Neighbourhood outage announced',
    'ISP status page reported maintenance in the segment overnight.\nModem lost sync at 02:10 and resynced at 04:35.',
  ],
  [
    'BNetzA measurement campaign started',
    'Started the official broadband measurement (breitbandmessung.de) with a wired laptop.\n10 measurements over 3 calendar days required.',
  ],
  [
    'BNetzA measurement results',
    'Campaign finished: average download below the normally available rate on 2 of 3 days.\nSaved the PDF protocol for the complaint.',
  ],
  [
    'Modem swapped by ISP',
    'Received a replacement cable modem after the repeated upstream issues.\nChannel plan unchanged, OFDMA profile now 1024QAM most of the day.',
  ],
];

const INCIDENTS: ReadonlyArray<readonly [string, string]> = [
  [
    'Evening Speed Degradation',
    'Download speeds drop well below the booked tariff most evenings, together with elevated DS power and uncorrectable errors.',
  ],
  ['Firmware Update Issues', 'Router firmware update caused temporary error spikes. Resolved after stabilization period.'],
  ['Upstream Power Instability', 'OFDMA upstream transmit power repeatedly falls into the tolerated range; ISP informed.'],
];

/** Plans incidents and journal entries for the `days` before `endMs`. */
export function generateJournal(prng: Prng, startMs: number, endMs: number, entryCount: number, incidentCount: number) {
  const span = endMs - startMs;
  const firstDay = startOfUtcDay(startMs) + DAY_MS;
  const lastDay = startOfUtcDay(endMs - HOUR_MS);
  const dayAt = (fraction: number) => Math.min(lastDay, firstDay + Math.floor((fraction * span) / DAY_MS) * DAY_MS);
  const stamp = (dayMs: number) =>
    formatUtcTimestamp(Math.min(endMs, dayMs + prng.int(18 * 60, 22 * 60 - 1) * 60_000 + prng.int(0, 59) * 1000));

  const incidents: IncidentRow[] = [];
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < incidentCount; i++) {
    const [name, description] = INCIDENTS[i % INCIDENTS.length] as readonly [string, string];
    const start = dayAt((i + 0.15 + prng.range(0, 0.3)) / incidentCount);
    const last = i === incidentCount - 1;
    const end = Math.min(lastDay, start + prng.int(8, 20) * DAY_MS);
    ranges.push([start, end]);
    const created = stamp(start);
    incidents.push({
      name,
      description,
      status: last ? 'open' : 'resolved',
      start_date: formatUtcDate(start),
      end_date: last ? null : formatUtcDate(end),
      icon: null,
      created_at: created,
      updated_at: last ? created : stamp(end),
    });
  }

  const entries: JournalRow[] = [];
  for (let i = 0; i < entryCount; i++) {
    const [title, description] = ENTRIES[i % ENTRIES.length] as readonly [string, string];
    const day = dayAt((i + prng.range(0.1, 0.9)) / entryCount);
    const owner = ranges.findIndex(([from, to]) => day >= from && day <= to);
    const created = stamp(day);
    entries.push({
      date: formatUtcDate(day),
      title,
      description,
      icon: null,
      incident_index: owner >= 0 ? owner + 1 : null,
      created_at: created,
      updated_at: created,
    });
  }
  return { incidents, entries };
}
