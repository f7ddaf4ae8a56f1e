/**
 * Dates as the user reads them: in their language and time zone, through vue-i18n's `dateTime`
 * format (i18n.ts), with a fallback for a date that is absent or unreadable.
 */
import { i18n } from './i18n.ts';

/** A date-time in the user's zone and locale, e.g. "26 Nov 2026, 08:07"; `fallback` (default "—") when absent or invalid. */
export function formatDateTime(value: string | number | Date | null | undefined, fallback = '—'): string {
  if (value === null || value === undefined || value === '') return fallback;
  const date = value instanceof Date ? value : new Date(normaliseTimestamp(value));
  if (Number.isNaN(date.getTime())) return fallback;
  return i18n.global.d(date, 'dateTime');
}

/**
 * DOCSight writes UTC timestamps without a zone ("2026-11-26 07:07:13" or "…T07:07:13"); read
 * them as UTC, not as the browser's local time (docs/docsight-compatibility.md, D20).
 */
export function normaliseTimestamp(value: string | number): string | number {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) return `${text.replace(' ', 'T')}Z`;
  return text;
}
