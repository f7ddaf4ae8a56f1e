/**
 * Health per location (issue 19), decided from facts as a pure function (read-health.ts gathers
 * them; the dashboard and /metrics show them). One line per location, the backup directory first,
 * then each offsite target in config order, each with a status:
 *
 *   off      the target is turned off; the backup directory: scheduled backups are off (its
 *            newest copy is still young enough, else it is stale);
 *   failing  the target's pushes fail since its last success; the backup directory: scheduled
 *            backups fail, it cannot be listed, or its newest backup failed verification;
 *   stale    no copy there, or the newest one is older than the dashboard's overdue limit (two
 *            schedule intervals, a week without a schedule: backup-protection.ts);
 *   ok       otherwise.
 *
 * A target's facts are its record (core's target-state.ts: the copies this instance sent, the last
 * success and failure, the next try), never a listing of the remote side: the dashboard must not
 * open a connection per load. So `copies` of a target counts the copies this instance sent and has
 * not deleted.
 *
 * The 3-2-1 picture is about the newest backup (the backup directory's newest, else the newest
 * copy a target holds): how many locations hold it, on how many distinct places (a disk, a host),
 * how many of them off this machine (off-machine.ts), and whether the rule's three parts hold with
 * the live data counted as the first copy: three copies, on two places, one off the machine.
 */
import type { BackupListEntry, TargetConfig, TargetState } from '@evidence-locker/core';
import { backupMadeAt, backupMadeNoLaterThan, compareBackupsNewestFirst, parseBackupFileTime } from '@evidence-locker/core';
import { z } from 'zod';
import { copyAgeLimitMs, type BackupProtection, type DirectoryListingOutcome } from '../backups/backup-protection.ts';
import { VerificationSchema, type Verification } from '../backups/backup-verifications.ts';
import type { ScheduleState } from '../schedule-state.ts';

export const LOCATION_STATUSES = ['ok', 'failing', 'stale', 'off'] as const;
export type LocationStatus = (typeof LOCATION_STATUSES)[number];

export const LOCATION_KINDS = ['local', 's3', 'sftp', 'webdav'] as const;

const DetailsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

export const NewestCopySchema = z.object({
  /** Its file name there. */
  name: z.string(),
  /**
   * When the backup was made: the backup directory: the earlier of the time in its name and the
   * file's modification time (core's backupMadeNoLaterThan, as the schedule dates it: a directory
   * copied without its times does not look fresh); a target: the time in its name, else its arrival.
   */
  madeAt: z.string(),
  /** When it arrived at the target; null for the backup directory. */
  arrivedAt: z.string().nullable(),
  /** Seconds between madeAt and now (negative for a backup "from the future"). */
  ageSeconds: z.number().int(),
  /** Bytes; null when unknown (a target's record holds no sizes). */
  size: z.number().int().nonnegative().nullable(),
  /** The backup directory's newest backup: its last verification, null when never verified; always null for a target. */
  verification: VerificationSchema.nullable(),
});

export const LocationSchema = z.object({
  kind: z.enum(LOCATION_KINDS),
  /** The target's id; null for the backup directory. */
  id: z.string().nullable(),
  /** The target's name; the backup directory's path. */
  name: z.string(),
  /** Where it is: the backup directory's path, a target's URL (never a secret). */
  where: z.string(),
  offMachine: z.boolean(),
  newest: NewestCopySchema.nullable(),
  /** It holds the newest backup (the one the 3-2-1 picture is about). */
  holdsNewestBackup: z.boolean(),
  /** Backups there (a target: those this instance sent and still records). */
  copies: z.number().int().nonnegative(),
  status: z.enum(LOCATION_STATUSES),
  /** Why it is failing: the last failure, how many in a row (0: not a run that failed, e.g. the directory cannot be listed). */
  failure: z
    .object({ at: z.string(), count: z.number().int().nonnegative(), code: z.string(), message: z.string(), details: DetailsSchema })
    .nullable(),
  /** What comes next: the next scheduled backup (a target gets it pushed right after), or a failed push's next try. */
  nextRun: z.object({ at: z.string(), kind: z.enum(['schedule', 'retry']) }).nullable(),
  /** A push to the target is queued or running. */
  pushing: z.boolean(),
});
export type Location = z.infer<typeof LocationSchema>;

export const CopiesSchema = z.object({
  /** The backup the picture is about; null when there is none anywhere. */
  newest: z.object({ fileName: z.string(), madeAt: z.string() }).nullable(),
  /** Locations holding it. */
  count: z.number().int().nonnegative(),
  /** Distinct places (a disk, a host) among them. */
  places: z.number().int().nonnegative(),
  /** Of those locations, how many are off this machine. */
  offMachine: z.number().int().nonnegative(),
  /** The backup directory is on the live data's disk (one disk failure takes both); null when unknown. */
  sameDiskAsData: z.boolean().nullable(),
  /** The 3-2-1 rule with the live data counted as the first copy: its counts and whether each part holds. */
  rule: z.object({
    /** Copies with the live data: count + 1. */
    copies: z.number().int().positive(),
    /** Distinct places with the live data's disk. */
    places: z.number().int().positive(),
    offMachine: z.number().int().nonnegative(),
    threeCopies: z.boolean(),
    twoPlaces: z.boolean(),
    oneOffMachine: z.boolean(),
  }),
});
export type Copies = z.infer<typeof CopiesSchema>;

export const SpaceSchema = z.object({
  /** Free bytes for the backup directory's filesystem; null when it cannot be read. */
  freeBytes: z.number().int().nonnegative().nullable(),
  /** Today's size of a backup: the newest one's; null when there is none. */
  backupSize: z.number().int().nonnegative().nullable(),
  /**
   * How many more backups of that size fit: the free space less what the last of them needs
   * besides its archive while it is made (its working space and core's margin, as the backup's
   * free-space preflight counts them); null when the free space or the size is unknown.
   */
  moreBackups: z.number().int().nonnegative().nullable(),
});
export type Space = z.infer<typeof SpaceSchema>;

/** One target and what is known about it. */
export interface TargetFacts {
  target: Pick<TargetConfig, 'id' | 'name' | 'kind' | 'enabled'>;
  /** Its URL without secrets. */
  where: string;
  /** Its record; null when nothing happened to it yet. */
  state: TargetState | null;
  pushing: boolean;
  offMachine: boolean;
  /** Which place it is on (its host), so two targets on one NAS count as one place. */
  place: string;
}

/** The facts {@link decideLocationHealth} decides on. */
export interface LocationFacts {
  now: Date;
  /** The backup directory's listing. */
  current: DirectoryListingOutcome;
  protection: BackupProtection;
  schedule: ScheduleState | null;
  /** The last verification of the backup directory's newest backup; null when never verified. */
  newestVerification: Verification | null;
  backupDirOffMachine: boolean;
  /** The backup directory is on the live data's filesystem; null when unknown. */
  backupDirSameDiskAsData: boolean | null;
  targets: TargetFacts[];
  freeBytes: number | null;
  /**
   * What a backup needs on the backup directory's filesystem besides its archive while it is made:
   * the preflight's working space there (core's backupSpaceNeeds: the database copies and spool
   * when the data directory shares that disk) and core's FREE_SPACE_MARGIN (read-health.ts).
   */
  backupWorkingBytes: number;
  /** ISO time formatter (the server's local offset). */
  formatTime: (date: Date) => string;
}

export interface LocationHealth {
  locations: Location[];
  copies: Copies;
  space: Space;
}

const SEALED = /\.age$/;
const baseName = (name: string): string => name.replace(SEALED, '');

/** The backup directory's newest archive (by the time in its name, as retention dates it, then name), or null. */
export function newestLocalBackup(current: DirectoryListingOutcome): BackupListEntry | null {
  if (!('backups' in current)) return null;
  const sorted = current.backups
    .map((entry) => ({ entry, name: entry.fileName, madeAt: backupMadeAt(entry.fileName, entry.modified) }))
    .sort(compareBackupsNewestFirst);
  return sorted[0]?.entry ?? null;
}

/** The copy a target's record names as its newest: the last that arrived while still recorded, else the newest recorded. */
function targetNewestName(state: TargetState): string | null {
  if (state.lastSuccessName !== null && state.uploaded.includes(state.lastSuccessName)) return state.lastSuccessName;
  const byTime = [...state.uploaded].sort((a, b) => (parseBackupFileTime(a)?.getTime() ?? 0) - (parseBackupFileTime(b)?.getTime() ?? 0));
  return byTime.at(-1) ?? null;
}

/** Decides the location lines, the 3-2-1 picture and the space (see the file comment). */
export function decideLocationHealth(facts: LocationFacts): LocationHealth {
  const { now, schedule, formatTime } = facts;
  const limitMs = copyAgeLimitMs(schedule);
  const ageSeconds = (madeAt: string): number => Math.round((now.getTime() - Date.parse(madeAt)) / 1000);
  const isStale = (madeAt: string | undefined): boolean => madeAt === undefined || now.getTime() - Date.parse(madeAt) > limitMs;
  const scheduleNext = schedule?.enabled && schedule.nextBackupAt ? { at: schedule.nextBackupAt, kind: 'schedule' as const } : null;

  const localNewest = newestLocalBackup(facts.current);
  const targetNewest = facts.targets.map((entry) => {
    const name = entry.state === null ? null : targetNewestName(entry.state);
    if (name === null || entry.state === null) return null;
    const arrivedAt = name === entry.state.lastSuccessName ? entry.state.lastSuccessAt : null;
    const named = parseBackupFileTime(name);
    const madeAt = named !== null ? formatTime(named) : arrivedAt;
    return madeAt === null ? null : { name, madeAt, arrivedAt };
  });

  const newestBackup =
    localNewest !== null
      ? { fileName: localNewest.fileName, madeAt: formatTime(backupMadeAt(localNewest.fileName, localNewest.modified)) }
      : (targetNewest
          .filter((copy) => copy !== null)
          .sort((a, b) => Date.parse(a.madeAt) - Date.parse(b.madeAt))
          .map((copy) => ({ fileName: baseName(copy.name), madeAt: copy.madeAt }))
          .at(-1) ?? null);
  const newestBase = newestBackup === null ? null : baseName(newestBackup.fileName);

  const localFailure = ((): Location['failure'] => {
    const failure = facts.protection.failure;
    if (failure !== null) {
      return { at: schedule?.lastFailureAt ?? failure.since, count: failure.count, ...pick(failure) };
    }
    const verification = facts.newestVerification;
    if (verification !== null && !verification.ok) {
      return {
        at: verification.at,
        count: 0,
        code: verification.code ?? 'INTERNAL',
        message: verification.message ?? '',
        details: verification.details ?? {},
      };
    }
    return null;
  })();
  const localCopies = 'backups' in facts.current ? facts.current.backups.length : 0;
  const localMadeAt = localNewest === null ? undefined : formatTime(backupMadeNoLaterThan(localNewest.fileName, localNewest.modified));
  const local: Location = {
    kind: 'local',
    id: null,
    name: facts.current.dir,
    where: facts.current.dir,
    offMachine: facts.backupDirOffMachine,
    newest:
      localNewest === null || localMadeAt === undefined
        ? null
        : {
            name: localNewest.fileName,
            madeAt: localMadeAt,
            arrivedAt: null,
            ageSeconds: ageSeconds(localMadeAt),
            size: localNewest.size,
            verification: facts.newestVerification,
          },
    holdsNewestBackup: localNewest !== null && baseName(localNewest.fileName) === newestBase,
    copies: localCopies,
    status: localFailure !== null ? 'failing' : isStale(localMadeAt) ? 'stale' : schedule?.enabled ? 'ok' : 'off',
    failure: localFailure,
    nextRun: scheduleNext,
    pushing: false,
  };

  const targets = facts.targets.map((entry, index): Location => {
    const { target, state } = entry;
    const newest = targetNewest[index] ?? null;
    const lastFailure = state?.lastFailure ?? null;
    const failure =
      lastFailure === null
        ? null
        : {
            at: lastFailure.at,
            count: state?.failures ?? 1,
            code: lastFailure.code,
            message: lastFailure.message,
            details: lastFailure.details ?? {},
          };
    const status: LocationStatus = !target.enabled ? 'off' : failure !== null ? 'failing' : isStale(newest?.madeAt) ? 'stale' : 'ok';
    const nextRun =
      !target.enabled || entry.pushing
        ? null
        : failure !== null && state?.nextTryAt
          ? { at: formatTime(new Date(state.nextTryAt)), kind: 'retry' as const }
          : scheduleNext;
    const uploaded = state?.uploaded ?? [];
    return {
      kind: target.kind,
      id: target.id,
      name: target.name,
      where: entry.where,
      offMachine: entry.offMachine,
      newest: newest === null ? null : { ...newest, ageSeconds: ageSeconds(newest.madeAt), size: null, verification: null },
      holdsNewestBackup: newestBase !== null && uploaded.some((name) => baseName(name) === newestBase),
      copies: uploaded.length,
      status,
      failure,
      nextRun,
      pushing: entry.pushing,
    };
  });

  const locations = [local, ...targets];
  const holders = locations.map((location, index) => ({ location, place: index === 0 ? null : facts.targets[index - 1]!.place }));
  const holding = holders.filter((entry) => entry.location.holdsNewestBackup);
  const dataPlace = 'the data directory’s disk';
  const places = new Set(
    holding.map((entry) => entry.place ?? (facts.backupDirSameDiskAsData === true ? dataPlace : 'the backup directory’s disk')),
  );
  const offMachine = holding.filter((entry) => entry.location.offMachine).length;
  const placesWithData = new Set([...places, dataPlace]).size;
  const copies: Copies = {
    newest: newestBackup,
    count: holding.length,
    places: places.size,
    offMachine,
    sameDiskAsData: facts.backupDirSameDiskAsData,
    rule: {
      copies: holding.length + 1,
      places: placesWithData,
      offMachine,
      threeCopies: holding.length + 1 >= 3,
      twoPlaces: placesWithData >= 2,
      oneOffMachine: offMachine >= 1,
    },
  };

  const backupSize = localNewest?.size ?? null;
  const space: Space = {
    freeBytes: facts.freeBytes,
    backupSize,
    moreBackups:
      facts.freeBytes === null || backupSize === null || backupSize === 0
        ? null
        : Math.floor(Math.max(0, facts.freeBytes - facts.backupWorkingBytes) / backupSize),
  };
  return { locations, copies, space };
}

function pick(failure: NonNullable<BackupProtection['failure']>): {
  code: string;
  message: string;
  details: Record<string, string | number>;
} {
  return { code: failure.code, message: failure.message, details: failure.details };
}
