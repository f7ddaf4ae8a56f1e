/**
 * Is the evidence safe? The one line at the top of the dashboard, decided from what is really on
 * disk and from the schedule, as a pure function (the dashboard router gathers the facts):
 *
 *   failing      the schedule's last runs failed (since when, the code and message of the last), or
 *                the backup directory cannot be listed at all;
 *   unprotected  no backup anywhere (the backup path, the paths it had before) and no download;
 *   overdue      the newest copy is older than two schedule intervals (a week when the schedule is
 *                off): something stopped making backups without failing;
 *   protected    otherwise.
 *
 * The newest copy is the newest archive (by the time in its name, as retention dates it) in the backup path or in a path it had before (whatever
 * made it: the schedule, Backup now, a restart's seeding, DOCSight), or the last complete
 * download, whichever is newer. Every state but `protected` names the settings section that fixes it.
 */
import { backupMadeAt, backupMadeNoLaterThan, compareBackupsNewestFirst, type BackupListEntry } from '@evidence-locker/core';
import { z } from 'zod';
import type { ScheduleState } from '../schedule-state.ts';

export const PROTECTION_STATES = ['protected', 'failing', 'overdue', 'unprotected'] as const;

/** Where in the settings a problem is fixed (the section's element id there). */
export const FIX_SECTIONS = ['automatic-backups'] as const;

const BackupCopySchema = z.object({
  fileName: z.string(),
  /** The directory it is in. */
  dir: z.string(),
  size: z.number().int().nonnegative(),
  /** Modification time, ISO 8601 with offset. */
  modified: z.string(),
});

const FailureSchema = z.object({
  /** The first failure of the streak (or the time the directory was found unusable). */
  since: z.string(),
  /** Failed runs in a row; 0 when only the listing of the directory failed. */
  count: z.number().int().nonnegative(),
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number()])),
});

export const BackupProtectionSchema = z.object({
  state: z.enum(PROTECTION_STATES),
  /** Where backups go now. */
  backupPath: z.string(),
  /** Archives in the backup path. */
  copies: z.number().int().nonnegative(),
  /** Earlier backup paths that still hold archives, with how many. */
  earlierPaths: z.array(z.object({ path: z.string(), copies: z.number().int().positive() })),
  /** The newest archive in any of those directories; null when there is none. */
  newestBackup: BackupCopySchema.nullable(),
  /** When the last complete download of a fresh backup finished; null when none since the server started. */
  lastDownloadAt: z.string().nullable(),
  /** The newer of the newest archive's time and the last download; null when neither exists. */
  lastCopyAt: z.string().nullable(),
  /** The newest archive's file name when the last copy is that archive (not a download); null otherwise. */
  lastCopyFile: z.string().nullable(),
  /** Scheduled backups run (the schedule is on, not demo mode). */
  scheduled: z.boolean(),
  /** Why the schedule is off (as the schedule says it); null while it runs. */
  scheduleOffReason: z.string().nullable(),
  nextBackupAt: z.string().nullable(),
  failure: FailureSchema.nullable(),
  /** The settings section that fixes what is wrong; null while protected. */
  fixSection: z.enum(FIX_SECTIONS).nullable(),
  /** Every archive found, oldest first (by the time in its name), for the chart of backup sizes. */
  backups: z.array(BackupCopySchema),
});
export type BackupProtection = z.infer<typeof BackupProtectionSchema>;

/** What one directory held: its archives, or why it could not be listed. */
export type DirectoryListingOutcome =
  | { dir: string; backups: BackupListEntry[] }
  | { dir: string; error: { code: string; message: string; details: Record<string, string | number> } };

/** The facts {@link decideBackupProtection} decides on. */
export interface ProtectionFacts {
  now: Date;
  /** The backup path's listing. */
  current: DirectoryListingOutcome;
  /** Listings of the earlier backup paths (unlistable ones are simply skipped). */
  earlier: DirectoryListingOutcome[];
  /** The schedule's state; null when no schedule runs in this process. */
  schedule: ScheduleState | null;
  lastDownloadAt: Date | null;
  /** ISO time formatter (the server's local offset, as the backup list uses). */
  formatTime: (date: Date) => string;
}

const HOUR_MS = 3_600_000;
/** How old the newest copy may be when nothing schedules backups. */
const UNSCHEDULED_LIMIT_MS = 7 * 24 * HOUR_MS;

/**
 * How old the newest copy may be before it is overdue: two schedule intervals while the schedule
 * runs, else a week. The dashboard's location lines call a location stale by the same rule.
 */
export function copyAgeLimitMs(schedule: ScheduleState | null): number {
  return schedule?.enabled ? 2 * schedule.intervalHours * HOUR_MS : UNSCHEDULED_LIMIT_MS;
}

/** Decides the protection line from the facts (see the file comment). */
export function decideBackupProtection(facts: ProtectionFacts): BackupProtection {
  const { schedule, current } = facts;
  const copiesOf = (outcome: DirectoryListingOutcome) =>
    'backups' in outcome
      ? outcome.backups.map((entry) => ({ fileName: entry.fileName, dir: outcome.dir, size: entry.size, modified: entry.modified }))
      : [];
  const currentCopies = copiesOf(current);
  const earlierPaths = facts.earlier
    .filter((outcome) => outcome.dir !== current.dir)
    .map((outcome) => ({ path: outcome.dir, copies: copiesOf(outcome) }))
    .filter((entry) => entry.copies.length > 0);
  // Dated as retention and the listing date them (the name's time): a directory copied without
  // its times would otherwise look freshly backed up.
  const dated = (copy: (typeof currentCopies)[number]) => ({
    copy,
    name: copy.fileName,
    madeAt: backupMadeAt(copy.fileName, copy.modified),
  });
  const all = [...currentCopies, ...earlierPaths.flatMap((entry) => entry.copies)].map(dated).sort(compareBackupsNewestFirst);
  const newestBackup = all[0]?.copy ?? null;

  // Its age counts from the earlier of its name's time and its file's, as the schedule counts it.
  const newestMs = newestBackup ? backupMadeNoLaterThan(newestBackup.fileName, newestBackup.modified).getTime() : null;
  const downloadMs = facts.lastDownloadAt?.getTime() ?? null;
  const lastCopyMs = newestMs === null ? downloadMs : downloadMs === null ? newestMs : Math.max(newestMs, downloadMs);

  const scheduled = schedule?.enabled ?? false;
  const failure = failureOf(facts);
  const limitMs = copyAgeLimitMs(schedule);
  const state: BackupProtection['state'] =
    failure !== null
      ? 'failing'
      : lastCopyMs === null
        ? 'unprotected'
        : facts.now.getTime() - lastCopyMs > limitMs
          ? 'overdue'
          : 'protected';

  return {
    state,
    backupPath: current.dir,
    copies: currentCopies.length,
    earlierPaths: earlierPaths.map((entry) => ({ path: entry.path, copies: entry.copies.length })),
    newestBackup,
    lastDownloadAt: downloadMs === null ? null : facts.formatTime(new Date(downloadMs)),
    lastCopyAt: lastCopyMs === null ? null : facts.formatTime(new Date(lastCopyMs)),
    lastCopyFile: newestBackup !== null && lastCopyMs === newestMs ? newestBackup.fileName : null,
    scheduled,
    scheduleOffReason: scheduled ? null : (schedule?.reason ?? null),
    nextBackupAt: schedule?.nextBackupAt ?? null,
    failure,
    fixSection: state === 'protected' ? null : 'automatic-backups',
    backups: all.map(({ copy }) => copy).reverse(),
  };
}

function failureOf(facts: ProtectionFacts): BackupProtection['failure'] {
  const { schedule, current } = facts;
  if (schedule && schedule.consecutiveFailures > 0) {
    return {
      since: schedule.failingSince ?? schedule.lastFailureAt ?? facts.formatTime(facts.now),
      count: schedule.consecutiveFailures,
      code: schedule.lastFailureCode ?? 'INTERNAL',
      message: schedule.lastFailureMessage ?? '',
      details: schedule.lastFailureDetails,
    };
  }
  if ('error' in current) {
    return { since: facts.formatTime(facts.now), count: 0, ...current.error };
  }
  return null;
}
