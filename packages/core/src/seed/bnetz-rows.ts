/**
 * `bnetz_measurements`: BNetzA broadband measurement campaigns (breitbandmessung.de protocols),
 * about one a month, each with five daily results in `measurements_json`; no PDF blob, imported
 * through the upload form (`source='upload'`), like DOCSight's demo campaigns.
 */
import type { Prng } from './prng.ts';
import { round2, toPyJson } from './python-repr.ts';
import { DAY_MS, formatUtcDate, formatUtcTimestamp, startOfUtcDay } from './utc-time.ts';

export interface BnetzRow {
  date: string;
  timestamp: string;
  provider: string;
  tariff: string;
  download_max_tariff: number;
  download_normal_tariff: number;
  download_min_tariff: number;
  upload_max_tariff: number;
  upload_normal_tariff: number;
  upload_min_tariff: number;
  download_measured_avg: number;
  upload_measured_avg: number;
  measurement_count: number;
  verdict_download: string;
  verdict_upload: string;
  measurements_json: string;
  source: 'upload';
}

const FLOATS: ReadonlySet<string> = new Set(['value']);

/** `count` campaigns spread over [startMs, endMs), oldest first. */
export function generateBnetzMeasurements(prng: Prng, startMs: number, endMs: number, count: number): BnetzRow[] {
  const rows: BnetzRow[] = [];
  const step = (endMs - startMs) / count;
  const timeOfDay = endMs - startOfUtcDay(endMs);
  for (let i = 0; i < count; i++) {
    const day = startOfUtcDay(startMs + step * (i + prng.range(0.1, 0.6)));
    const weak = prng.chance(0.3);
    const download = Array.from({ length: 5 }, (_, d) => ({
      date: formatUtcDate(day + d * DAY_MS),
      value: round2(weak ? prng.range(560, 840) : prng.range(840, 960)),
    }));
    const upload = download.map(({ date }) => ({ date, value: round2(prng.range(weak ? 30 : 38, 46)) }));
    const avg = (values: Array<{ value: number }>) => round2(values.reduce((s, v) => s + v.value, 0) / values.length);
    const downloadAvg = avg(download);
    const uploadAvg = avg(upload);
    rows.push({
      date: formatUtcDate(day),
      timestamp: formatUtcTimestamp(Math.min(endMs, day + timeOfDay)),
      provider: 'Vodafone Kabel',
      tariff: 'GigaZuhause 1000 Kabel Nov 2023',
      download_max_tariff: 1000,
      download_normal_tariff: 850,
      download_min_tariff: 600,
      upload_max_tariff: 50,
      upload_normal_tariff: 35,
      upload_min_tariff: 15,
      download_measured_avg: downloadAvg,
      upload_measured_avg: uploadAvg,
      measurement_count: download.length,
      verdict_download: downloadAvg >= 850 ? 'ok' : 'deviation',
      verdict_upload: uploadAvg >= 35 ? 'ok' : 'deviation',
      measurements_json: toPyJson({ download, upload }, { floatKeys: FLOATS }),
      source: 'upload',
    });
  }
  return rows;
}
