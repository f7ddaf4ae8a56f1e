/**
 * `weather_data`: one hourly temperature from midnight of the first day through 23:00 of the last
 * (DOCSight's demo: 271 days x 24 = 6,504 rows), with a yearly cycle, a daily cycle and a few days
 * of weather persistence. Demo rows use DOCSight's demo timestamp text with a space separator.
 */
import type { Prng } from './prng.ts';
import { round1 } from './python-repr.ts';
import { DAY_MS, HOUR_MS, formatDemoWeatherTimestamp, formatUtcTimestamp, startOfUtcDay } from './utc-time.ts';

export interface WeatherRow {
  timestamp: string;
  temperature: number;
}

/** Hourly rows for the UTC days from `startMs`'s to `endMs`'s, inclusive. */
export function generateWeather(prng: Prng, startMs: number, endMs: number, demoTimestamps: boolean): WeatherRow[] {
  const rows: WeatherRow[] = [];
  const format = demoTimestamps ? formatDemoWeatherTimestamp : formatUtcTimestamp;
  const last = startOfUtcDay(endMs) + DAY_MS;
  let anomaly = prng.gauss(0, 2);
  for (let ms = startOfUtcDay(startMs); ms < last; ms += HOUR_MS) {
    const dayOfYear = (ms / DAY_MS) % 365.2425;
    const hour = (ms / HOUR_MS) % 24;
    // Coldest around 20 January, warmest around 20 July; daily peak mid-afternoon.
    const seasonal = 9.5 - 9.5 * Math.cos((2 * Math.PI * (dayOfYear - 20)) / 365.2425);
    const daily = -3.5 * Math.cos((2 * Math.PI * (hour - 3)) / 24);
    anomaly = 0.985 * anomaly + prng.gauss(0, 0.35);
    rows.push({ timestamp: format(ms), temperature: round1(seasonal + daily + anomaly + prng.gauss(0, 0.3)) });
  }
  return rows;
}
