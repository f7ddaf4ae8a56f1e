/**
 * The names of sealed archives: the plain archive's name with `.age` appended, as `age -o` users
 * name them (`docsight_backup_2026-01-31_020000.tar.gz.age`), so `age -d` gives back the very
 * `.tar.gz` DOCSight restores.
 */
import { isPlainBackupFileName } from '../backup-dir/is-backup-file-name.ts';
import { LockerError } from '../errors.ts';

/** The suffix a sealed archive adds to the plain archive's name. */
export const SEALED_SUFFIX = '.age';

/**
 * The sealed archive's name for the plain backup file name `plainName`
 * (`docsight_backup_…tar.gz` → `docsight_backup_…tar.gz.age`). Throws BACKUP_NAME_INVALID when
 * `plainName` is not a backup file name.
 */
export function sealedArchiveName(plainName: string): string {
  if (!isPlainBackupFileName(plainName)) {
    throw new LockerError('BACKUP_NAME_INVALID', `${plainName} is not the name of a plain backup file.`, {
      details: { fileName: plainName },
    });
  }
  return plainName + SEALED_SUFFIX;
}

/**
 * The plain backup file name a sealed archive's name stands for (`….tar.gz.age` → `….tar.gz`), or
 * null when `sealedName` is not a backup file name followed by `.age`.
 */
export function plainArchiveName(sealedName: string): string | null {
  if (typeof sealedName !== 'string' || !sealedName.endsWith(SEALED_SUFFIX)) return null;
  const plainName = sealedName.slice(0, -SEALED_SUFFIX.length);
  return isPlainBackupFileName(plainName) ? plainName : null;
}
