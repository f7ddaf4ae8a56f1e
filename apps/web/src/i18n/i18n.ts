/**
 * The app's one vue-i18n instance (Composition API): the JSON catalogs in locales/, English as the
 * reference and fallback, the number and date formats, and how the language is chosen. The catalogs
 * are compiled at build time by @intlify/unplugin-vue-i18n (vite.config.ts), so the production
 * bundle carries vue-i18n's runtime only, without a message compiler, as the CSP's
 * `script-src 'self'` (no eval) requires.
 *
 * The choice is stored in localStorage; the first visit follows the browser's language. Components
 * call `useI18n()` from vue-i18n; plain modules (api/, composables/) use `i18n.global`.
 */
import { createI18n } from 'vue-i18n';
import de from './locales/de.json';
import en from './locales/en.json';
import type { MessageSchema } from './message-schema.ts';

/** The languages the app speaks; each has a catalog in locales/ (i18n/catalogs.test.ts keeps them in step). */
export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
/** Each language's name in itself, for the language menu. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', de: 'Deutsch' };

const STORAGE_KEY = 'el.locale';

/** The locale from storage, else the browser's first language we have, else English. */
export function initialLocale(stored: string | null, languages: readonly string[]): Locale {
  if (stored !== null && isLocale(stored)) return stored;
  for (const language of languages) {
    const base = language.toLowerCase().split('-')[0] ?? '';
    if (isLocale(base)) return base;
  }
  return 'en';
}

function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

function readStored(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/**
 * Named number formats, the same in every language (the locale sets separators and grouping):
 * `size` is a size in MB and above ("2.9"), `sizeWhole` one in B or KB ("512").
 */
const NUMBER_FORMATS = {
  size: { minimumFractionDigits: 1, maximumFractionDigits: 1 },
  sizeWhole: { minimumFractionDigits: 0, maximumFractionDigits: 0 },
} satisfies Record<string, Intl.NumberFormatOptions>;

/**
 * Named date formats: `dateTime` is a date with its time in the user's zone, e.g. "26 Nov 2026, 08:07";
 * `utcDay` a calendar day given in UTC (DOCSight's days, e.g. "26 Nov 2026"), shown as that day in any zone.
 */
const DATETIME_FORMATS = {
  dateTime: { dateStyle: 'medium', timeStyle: 'short' },
  utcDay: { dateStyle: 'medium', timeZone: 'UTC' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

function forEveryLocale<T>(formats: T): Record<Locale, T> {
  return Object.fromEntries(LOCALES.map((locale) => [locale, formats])) as Record<Locale, T>;
}

/** The app's i18n; install it with `app.use(i18n)`. */
export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: initialLocale(readStored(), globalThis.navigator?.languages ?? []),
  fallbackLocale: 'en',
  messages: { en, de },
  numberFormats: forEveryLocale(NUMBER_FORMATS),
  datetimeFormats: forEveryLocale(DATETIME_FORMATS),
});

function applyLang(value: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = value;
}
applyLang(i18n.global.locale.value);

/** Switches the app to `value`, marks the page's language and stores the choice. */
export function setLocale(value: Locale): void {
  i18n.global.locale.value = value;
  applyLang(value);
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, value);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}
