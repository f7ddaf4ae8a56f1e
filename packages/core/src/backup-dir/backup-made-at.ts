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
 * When the backup `fileName` was made at the latest: the earlier of its name's time and its
 * modification time `modified` (Date, ISO text or epoch ms); the name's time alone when `modified` is
 * null or no time, and an invalid Date when neither is one. For "how old is the newest backup"
 * (the schedule's seed and dead man's switch, the dashboard's staleness, "restorable as of"): a
 * backup directory copied without its times has every file modified now, which would call an old
 * backup fresh, and a name written in another time zone can read later than the backup was made,
 * which the modification time caps. It errs toward older, the safe side for staleness; which
 * backup is the newest is still {@link compareBackupsNewestFirst}'s answer.
 */
export function backupMadeNoLaterThan(fileName: string, modified: Date | string | number | null): Date {
  const named = parseBackupFileTime(fileName)?.getTime() ?? Number.NaN;
  const changed = modified === null ? Number.NaN : new Date(modified).getTime();
  if (Number.isNaN(named)) return new Date(changed);
  return new Date(Number.isNaN(changed) ? named : Math.min(named, changed));
}

/** A backup name's parts that order same-time backups: its stem, collision suffix and sealing. */
const NAME_PARTS = /^(docsight_backup_\d{4}-\d{2}-\d{2}_\d{6})(?:_(\d{1,3}))?\.tar\.gz(\.age)?$/;

/**
 * Sort order of backups, newest first by {@link backupMadeAt}. Same time: the stem sorting last
 * first (only names without a real time, dated by mtime, can differ there); same stem: the higher
 * collision suffix first, as a number (`_10` before `_9` before `_2` before none), since a later
 * suffix was written later; same suffix: the sealed copy (`….tar.gz.age`) before the plain one
 * (`….tar.gz`), as their names sort as text. Names that are no backup file names compare as text,
 * the last first. A backup with no valid time sorts last.
 */
export function compareBackupsNewestFirst(a: { name: string; madeAt: Date }, b: { name: string; madeAt: Date }): number {
  const ta = a.madeAt.getTime();
  const tb = b.madeAt.getTime();
  if (Number.isNaN(ta) !== Number.isNaN(tb)) return Number.isNaN(ta) ? 1 : -1;
  const byTime = Number.isNaN(ta) ? 0 : tb - ta;
  if (byTime !== 0) return byTime;
  const pa = NAME_PARTS.exec(a.name);
  const pb = NAME_PARTS.exec(b.name);
  if (pa !== null && pb !== null) {
    const byStem = textNewestFirst(pa[1]!, pb[1]!);
    if (byStem !== 0) return byStem;
    const bySuffix = Number(pb[2] ?? 0) - Number(pa[2] ?? 0);
    if (bySuffix !== 0) return bySuffix;
    if ((pa[3] === undefined) !== (pb[3] === undefined)) return pa[3] === undefined ? 1 : -1;
  }
  return textNewestFirst(a.name, b.name);
}

function textNewestFirst(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
