/**
 * The name a backup uploaded into the backup directory is stored under. It must be a backup file
 * name (DOCSight lists only those, and so does this product) and must never replace a file already
 * there: the person's own name is kept when it is one and still free; otherwise the next free name
 * from the moment it stands for, or from the archive's own date when the upload's name is not a
 * backup file name (`backup.tar.gz`), so the list shows it where it belongs in time.
 */
import { publishBackupFile } from '../archive/create/publish-backup-file.ts';
import { parseBackupFileTime } from './is-backup-file-name.ts';

/**
 * The moment an uploaded backup is named after: the one its own name stands for, else the archive's
 * `timestamp` (backup_meta.json), else `now`.
 */
export function uploadedBackupTime(requestedName: string | undefined, metaTimestamp: unknown, now: Date): Date {
  const named = requestedName === undefined ? null : parseBackupFileTime(requestedName);
  if (named !== null) return named;
  if (typeof metaTimestamp === 'string') {
    const stamped = new Date(metaTimestamp);
    if (!Number.isNaN(stamped.getTime())) return stamped;
  }
  return now;
}

/** Options of {@link publishUploadedBackup}. */
export interface PublishUploadedBackupOptions {
  /** The file name the person's file had (`X-File-Name`), if told. */
  requestedName?: string | undefined;
  /** The archive's `timestamp` from backup_meta.json, if any. */
  metaTimestamp?: unknown;
  /** Clock (default: now). */
  now?: Date;
  /** The archive is sealed (age): it is published under a `….tar.gz.age` name. Default false. */
  sealed?: boolean;
}

/**
 * Moves the checked archive at `tempPath` (inside `backupDir`) to its backup file name (see the
 * file comment) without replacing any file; returns the name used.
 */
export async function publishUploadedBackup(
  tempPath: string,
  backupDir: string,
  options: PublishUploadedBackupOptions = {},
): Promise<string> {
  const time = uploadedBackupTime(options.requestedName, options.metaTimestamp, options.now ?? new Date());
  return publishBackupFile(tempPath, backupDir, time, { sealed: options.sealed === true });
}
