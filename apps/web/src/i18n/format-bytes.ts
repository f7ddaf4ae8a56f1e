/** Sizes as the user reads them, with the number in their language's format (i18n.ts's `size` formats). */
import { i18n } from './i18n.ts';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** A size in bytes as B, KB, MB, GB or TB (powers of 1024; one decimal from MB on), e.g. "2.9 MB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${i18n.global.n(value, unit < 2 ? 'sizeWhole' : 'size')} ${UNITS[unit]}`;
}
