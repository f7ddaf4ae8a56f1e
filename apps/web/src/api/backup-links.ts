/**
 * Addresses of the raw download routes. Downloads are plain `<a download>` navigations, so the
 * browser streams the archive to disk with its own progress and never holds it in memory.
 */

/** A fresh backup, made on request and streamed as it is written. */
export const FRESH_BACKUP_URL = '/api/backups/download';

/** A fresh backup, sealed with the instance's key when `sealed` (only while sealing is on). */
export function freshBackupUrl(options: { sealed: boolean }): string {
  return options.sealed ? `${FRESH_BACKUP_URL}?seal=1` : FRESH_BACKUP_URL;
}

/** A stored backup by its file name. */
export function backupFileUrl(fileName: string): string {
  return `/api/backups/${encodeURIComponent(fileName)}`;
}

/** A copy on an offsite target, streamed from the target through the server. */
export function targetCopyUrl(targetId: string, name: string): string {
  return `/api/targets/${encodeURIComponent(targetId)}/copies/${encodeURIComponent(name)}`;
}
