/**
 * How long ago (or how soon) a time is, in the user's language: "3 hours ago", "vor 3 Stunden",
 * "in 5 hours", through Intl.RelativeTimeFormat with vue-i18n's current locale; and how soon
 * something planned comes (formatDue). Shown next to the date (format-date-time.ts), never
 * instead of it.
 */
import { i18n } from './i18n.ts';
import { normaliseTimestamp } from './format-date-time.ts';

const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * `value` relative to `now` (default: the current time) in the largest whole unit, "now" under a
 * minute; `fallback` (default "—") when absent or unreadable.
 */
export function formatAge(value: string | number | Date | null | undefined, now: number = Date.now(), fallback = '—'): string {
  if (value === null || value === undefined || value === '') return fallback;
  const time = value instanceof Date ? value.getTime() : new Date(normaliseTimestamp(value)).getTime();
  if (Number.isNaN(time)) return fallback;
  const seconds = Math.round((time - now) / 1000);
  const format = new Intl.RelativeTimeFormat(i18n.global.locale.value, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return format.format(0, 'second');
}

const MINUTE_MS = 60_000;
/** A planned time this far past that still has not started is overdue (a stuck server, a clock jump), not "any moment". */
const OVERDUE_AFTER_MS = 2 * MINUTE_MS;

/**
 * How soon planned `value` (a retry, the next backup) comes, relative to `now`: "in 4 minutes" as
 * formatAge says it; "in less than a minute" under a minute (formatAge's "now" would read as if it
 * were running already); "any moment" once it is due and has not started yet; "overdue by 3 hours" once it is more
 * than two minutes past. `fallback`
 * (default "—") when absent or unreadable.
 */
export function formatDue(value: string | number | Date | null | undefined, now: number = Date.now(), fallback = '—'): string {
  if (value === null || value === undefined || value === '') return fallback;
  const time = value instanceof Date ? value.getTime() : new Date(normaliseTimestamp(value)).getTime();
  if (Number.isNaN(time)) return fallback;
  if (time <= now - OVERDUE_AFTER_MS) return i18n.global.t('common.dueOverdue', { span: formatSpan(now - time) });
  if (time <= now) return i18n.global.t('common.dueNow');
  if (time - now < MINUTE_MS) return i18n.global.t('common.dueSoon');
  return formatAge(time, now, fallback);
}

/** A length of time in its largest whole unit, "3 hours", "1 day" (Intl's unit format). */
function formatSpan(ms: number): string {
  const seconds = ms / 1000;
  const [unit, size] = UNITS.find(([, candidate]) => seconds >= candidate) ?? ['minute', 60];
  const format = new Intl.NumberFormat(i18n.global.locale.value, { style: 'unit', unit, unitDisplay: 'long' });
  return format.format(Math.trunc(seconds / size));
}
