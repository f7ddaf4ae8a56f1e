/**
 * What a target holds, as users are shown it: only backups (a target's temp and probe files, and
 * whatever else shares its directory, are left out), newest first by the time in the name, each
 * saying whether it is sealed and whether this instance sent it (only those does retention delete).
 */
import {
  compareBackupsNewestFirst,
  isBackupFileName,
  isSealedBackupFileName,
  parseBackupFileTime,
  TARGET_TEMP_PREFIX,
  type TargetEntry,
} from '@evidence-locker/core';
import { z } from 'zod';

export const BackupCopySchema = z.object({
  name: z.string(),
  size: z.number(),
  /** As the target reports it (ISO 8601), or null when it gives none. */
  modified: z.string().nullable(),
  sealed: z.boolean(),
  /** This instance sent it (its target state records the name). */
  ownedHere: z.boolean(),
});
export type BackupCopy = z.infer<typeof BackupCopySchema>;

/** The backups among `entries`, newest first; `ownNames`: the remote names this instance sent. */
export function backupCopies(entries: readonly TargetEntry[], ownNames: ReadonlySet<string> = new Set()): BackupCopy[] {
  return entries
    .filter((entry) => !entry.name.startsWith(TARGET_TEMP_PREFIX) && isBackupFileName(entry.name))
    .map((entry) => ({
      name: entry.name,
      size: entry.size,
      modified: entry.modified,
      sealed: isSealedBackupFileName(entry.name),
      ownedHere: ownNames.has(entry.name),
    }))
    .sort((a, b) =>
      compareBackupsNewestFirst({ name: a.name, madeAt: new Date(timeOf(a)) }, { name: b.name, madeAt: new Date(timeOf(b)) }),
    );
}

function timeOf(copy: BackupCopy): number {
  return parseBackupFileTime(copy.name)?.getTime() ?? (copy.modified === null ? 0 : Date.parse(copy.modified));
}
