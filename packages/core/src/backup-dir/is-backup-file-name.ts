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
 * null when `name` is not a backup file name or its digits are not a real calendar time.
 */
export function parseBackupFileTime(name: string): Date | null {
  const match = typeof name === 'string' ? BACKUP_FILE_NAME.exec(name) : null;
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const time = new Date(year, month - 1, day, hour, minute, second);
  // Date rolls 2026-02-30 over to March; a name that does not round-trip is not a real time.
  const roundTrips =
    time.getFullYear() === year &&
    time.getMonth() === month - 1 &&
    time.getDate() === day &&
    time.getHours() === hour &&
    time.getMinutes() === minute &&
    time.getSeconds() === second;
  return roundTrips ? time : null;
}
