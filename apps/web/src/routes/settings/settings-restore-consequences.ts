/**
 * What the restore confirmation in the settings says will happen, point by point, before a stored
 * backup replaces this instance's data (restore-data-dir.ts in core does each of these): a
 * pre-restore backup is written first (where, and how it is named: its exact name is the time it
 * is written), everyone is logged out, the admin password becomes the backup's (or none), and
 * what was recorded since the backup's date is replaced.
 */
import { i18n } from '../../i18n/i18n.ts';
import { formatDateTime } from '../../i18n/format-date-time.ts';

const BACKUP_NAME = /^docsight_backup_(\d{4})-(\d{2})-(\d{2})_(\d{2})(\d{2})(\d{2})\.tar\.gz$/;

/** The moment a backup file name stands for (server local time, read as the browser's), or null. */
export function backupNameDate(fileName: string): Date | null {
  const match = BACKUP_NAME.exec(fileName);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(year, month - 1, day, hour, minute, second);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The points of the confirmation for restoring `fileName` from `backupPath`, in the current language. */
export function restoreConsequences(fileName: string, backupPath: string): string[] {
  const { t } = i18n.global;
  const date = backupNameDate(fileName);
  return [
    t('settings.restore.preRestore', { dir: backupPath }),
    t('settings.restore.logout'),
    t('settings.restore.password'),
    date === null ? t('settings.restore.replacedUndated') : t('settings.restore.replaced', { date: formatDateTime(date) }),
  ];
}
