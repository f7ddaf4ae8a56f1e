/**
 * Backup file names. DOCSight names archives `docsight_backup_%Y-%m-%d_%H%M%S.tar.gz` in the server's
 * local time (one-second resolution) and lists only files matching that shape, so Evidence Locker
 * uses the same names: its backups show up in DOCSight's list and DOCSight's show up in ours.
 */
const PREFIX = 'docsight_backup_';
const SUFFIX = '.tar.gz';

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** The archive name DOCSight would give a backup made at `date`, in local time. */
export function backupFileName(date: Date): string {
  const day = `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
  return `${PREFIX}${day}_${time}${SUFFIX}`;
}
