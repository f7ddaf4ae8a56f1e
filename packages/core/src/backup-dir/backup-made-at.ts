/**
 * When a backup was made, as every part of the product that asks "which is the newest?" dates it:
 * the time in its file name (DOCSight's names carry it, in this server's local time), its
 * modification time only when the name holds no real time. A backup directory copied with `cp -r`
 * or `rsync` without `-t` gives every file the time of the copy, so by mtime the newest backup
 * would be whichever file the copy wrote last, and retention (prune-backups.ts), the listing, the
 * dashboard, the test restore and the pushers would disagree about it.
 *
 * DOCSight's own backup page (its `list_backups`) sorts by mtime; a listing here may therefore
 * order a copied directory differently from DOCSight's page. That is on purpose: the order follows
 * when the backups were made, as retention counts them, not when their files were last written.
 */

import { parseBackupFileTime } from './is-backup-file-name.ts';

/** When the backup `fileName` was made: its name's time, else `modified` (an mtime, Date or ISO text). */
export function backupMadeAt(fileName: string, modified: Date | string | number): Date {
  return parseBackupFileTime(fileName) ?? new Date(modified);
}

/**
 * Sort order of backups, newest first by {@link backupMadeAt}; same time: the name sorting last
 * first (a same-second backup's `_2` before the first). A backup with no valid time sorts last.
 */
export function compareBackupsNewestFirst(a: { name: string; madeAt: Date }, b: { name: string; madeAt: Date }): number {
  const ta = a.madeAt.getTime();
  const tb = b.madeAt.getTime();
  if (Number.isNaN(ta) !== Number.isNaN(tb)) return Number.isNaN(ta) ? 1 : -1;
  const byTime = Number.isNaN(ta) ? 0 : tb - ta;
  if (byTime !== 0) return byTime;
  return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}
