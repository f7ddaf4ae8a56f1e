/**
 * The app's translations: a reactive locale, `t(key, params)` over the typed catalogs, and the
 * locale-aware formatters (dates in the user's time zone, sizes, numbers). Plain catalogs instead
 * of a runtime message compiler, which the CSP (`script-src 'self'`, no eval) would forbid.
 * The choice is stored in localStorage; the first visit follows the browser's language.
 */
import { computed, ref, type Ref } from 'vue';
import { de } from './messages-de.ts';
import { en, type MessageKey, type Messages } from './messages-en.ts';

export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', de: 'Deutsch' };

const CATALOGS: Record<Locale, Messages> = { en, de };
const STORAGE_KEY = 'el.locale';

/** The locale from storage, else the browser's first language we have, else English. */
export function initialLocale(stored: string | null, languages: readonly string[]): Locale {
  if (stored !== null && (LOCALES as readonly string[]).includes(stored)) return stored as Locale;
  for (const language of languages) {
    const base = language.toLowerCase().split('-')[0];
    if ((LOCALES as readonly string[]).includes(base ?? '')) return base as Locale;
  }
  return 'en';
}

/** Replaces `{name}` in `template` with `params.name`; unknown names stay visible. */
export function interpolate(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

function readStored(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

const locale: Ref<Locale> = ref(initialLocale(readStored(), globalThis.navigator?.languages ?? []));

function applyLang(value: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = value;
}
applyLang(locale.value);

/** Translates `key` in the current locale (falls back to English). */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return interpolate(CATALOGS[locale.value][key] ?? en[key], params);
}

/** Whether `key` is a message key (for keys built from a server's code). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** The parameters `key`'s text names in the current locale, e.g. `['name']` for "{name} is missing". */
export function messageParams(key: MessageKey): string[] {
  const template = CATALOGS[locale.value][key] ?? en[key];
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
}

/** Sets and stores the locale. */
export function setLocale(value: Locale): void {
  locale.value = value;
  applyLang(value);
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, value);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

/** A date-time in the user's zone and locale, e.g. "26 Nov 2026, 08:07"; `fallback` when absent or invalid. */
export function formatDateTime(value: string | number | Date | null | undefined, fallback = '—'): string {
  if (value === null || value === undefined || value === '') return fallback;
  const date = value instanceof Date ? value : new Date(normaliseTimestamp(value));
  if (Number.isNaN(date.getTime())) return fallback;
  return new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
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

/** A whole number with the locale's grouping, e.g. 51,840 or 51.840. */
export function formatNumber(value: number): string {
  return new Intl.NumberFormat(locale.value).format(value);
}

/** A size in bytes as B, KB, MB or GB (powers of 1024, one decimal above KB). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : unit === 1 ? 0 : 1;
  return `${new Intl.NumberFormat(locale.value, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

/** The composable form, for components. */
export function useI18n() {
  return { t, locale: computed(() => locale.value), setLocale, formatDateTime, formatNumber, formatBytes };
}
