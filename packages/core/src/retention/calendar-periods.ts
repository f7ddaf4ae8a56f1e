/**
 * The calendar day, ISO week and month a moment falls in, in one IANA time zone. The zone's date
 * comes from Intl (the platform's time zone database, so daylight-saving changes and past rule
 * changes are the operating system's, not ours); the ISO week is plain arithmetic on that date.
 */
import { LockerError } from '../errors.ts';

/** Keys naming the periods a moment falls in, e.g. `2026-03-29`, `2026-W13`, `2026-03`. */
export interface CalendarPeriods {
  day: string;
  week: string;
  month: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The time zone this process runs in (TZ, else the system's), as an IANA name. */
export function localTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * The periods `moment` falls in, in `timeZone` (an IANA name such as `Europe/Berlin`). Throws
 * INVALID_ARGUMENT for a time zone the platform does not know.
 */
export function calendarPeriods(moment: Date, timeZone: string): CalendarPeriods {
  const parts = formatterFor(timeZone).formatToParts(moment);
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((entry) => entry.type === type)?.value);
  const year = part('year');
  const month = part('month');
  const day = part('day');
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  // ISO 8601: weeks start on Monday and belong to the year their Thursday is in.
  const date = Date.UTC(year, month - 1, day);
  const weekday = (new Date(date).getUTCDay() + 6) % 7;
  const thursday = new Date(date + (3 - weekday) * DAY_MS);
  const weekYear = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / (7 * DAY_MS));
  return {
    day: `${pad(year, 4)}-${pad(month)}-${pad(day)}`,
    week: `${pad(weekYear, 4)}-W${pad(week)}`,
    month: `${pad(year, 4)}-${pad(month)}`,
  };
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        calendar: 'iso8601',
        numberingSystem: 'latn',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
      });
    } catch (error) {
      throw new LockerError('INVALID_ARGUMENT', `The time zone "${timeZone}" is not known to this system.`, {
        details: { timeZone },
        cause: error,
      });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}
