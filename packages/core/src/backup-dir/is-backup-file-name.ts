/**
 * Which names in a backup directory are backups. DOCSight names them
 * `docsight_backup_%Y-%m-%d_%H%M%S.tar.gz` in server local time at one-second resolution. Evidence
 * Locker writes the same names (a second backup in the same second takes the next free second, where
 * DOCSight's `os.replace` silently overwrites); a `_N` suffix before `.tar.gz` is also listed, as
 * DOCSight lists any `docsight_backup_*.tar.gz`. Anything else in the directory,
 * including `config.json` when the backup path points at the data directory, is not a backup.
 * A sealed backup (age-encrypted) is the same name with `.age` appended (seal/sealed-archive-name.ts).
 */
const BACKUP_FILE_NAME = /^docsight_backup_(\d{4})-(\d{2})-(\d{2})_(\d{2})(\d{2})(\d{2})(?:_\d{1,3})?\.tar\.gz(\.age)?$/;

/**
 * True when `name` is exactly a backup file name: `docsight_backup_YYYY-MM-DD_HHMMSS.tar.gz`, with an
 * optional collision suffix `_N` (1 to 3 digits) before `.tar.gz`, and `.age` after it for a sealed
 * backup. A path, a name with `..` or any separator never matches.
 */
export function isBackupFileName(name: string): boolean {
  return typeof name === 'string' && BACKUP_FILE_NAME.test(name);
}

/** True when `name` is a sealed backup's file name (`docsight_backup_….tar.gz.age`). */
export function isSealedBackupFileName(name: string): boolean {
  return typeof name === 'string' && BACKUP_FILE_NAME.exec(name)?.[7] !== undefined;
}

/** True when `name` is a plain backup's file name (`docsight_backup_….tar.gz`), the kind DOCSight lists. */
export function isPlainBackupFileName(name: string): boolean {
  return isBackupFileName(name) && !isSealedBackupFileName(name);
}

/**
 * The moment a backup file name stands for, read as server local time (as DOCSight writes it), or
 * null when `name` is not a backup file name or its digits are not a real calendar time (month 1–12,
 * a day the month has, hour below 24, minute and second below 60).
 *
 * Whether the digits are a real time is checked on the calendar alone (in UTC, where every wall-clock
 * time exists), not in the local zone: a name written in the hour a spring-forward change skips
 * (`…_2024-03-31_020000…` in Europe/Berlin), or by DOCSight in another zone, is still a real time.
 * Such a gap time reads as the same wall-clock time before the change, which lands just after it
 * (02:00 in the skipped hour is 03:00 summer time). A time the fall-back change repeats reads as
 * the first of the two (JavaScript's `Date` rule for local times).
 */
export function parseBackupFileTime(name: string): Date | null {
  const match = typeof name === 'string' ? BACKUP_FILE_NAME.exec(name) : null;
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // Date.UTC rolls 2026-02-30 over to March and 25:00 to the next day: a name that does not
  // round-trip is not a real time. (Years 0000–0099 map to 1900–1999 and so never round-trip.)
  const calendar = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const real =
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() === month - 1 &&
    calendar.getUTCDate() === day &&
    calendar.getUTCHours() === hour &&
    calendar.getUTCMinutes() === minute &&
    calendar.getUTCSeconds() === second;
  return real ? new Date(year, month - 1, day, hour, minute, second) : null;
}
