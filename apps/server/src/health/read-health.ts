/**
 * Gathers what the dashboard's status and /metrics show: the protection line
 * (backups/backup-protection.ts), the location lines, the 3-2-1 picture and the free space
 * (location-health.ts), the schedule and the test restores. Reads the backup directories (names,
 * sizes and times only), the targets' records, the free space and the newest backup's
 * verification: no remote listing, no database work.
 */
import fs from 'node:fs/promises';
import {
  FREE_SPACE_MARGIN,
  backupSpaceNeeds,
  formatLocalIso,
  formatTargetUrl,
  freeBytes,
  isLockerError,
  listBackups,
  readTargetState,
  type SpaceNeed,
  type TargetsState,
} from '@evidence-locker/core';
import { decideBackupProtection, type BackupProtection, type DirectoryListingOutcome } from '../backups/backup-protection.ts';
import type { ScheduleState } from '../schedule-state.ts';
import type { TestRestoreState } from '../proof/test-restore-state.ts';
import { instanceTargets } from '../targets/instance-targets.ts';
import type { ServerServices } from '../trpc/context.ts';
import { decideLocationHealth, newestLocalBackup, type LocationHealth } from './location-health.ts';
import { isDirectoryOffMachine, isTargetOffMachine, targetHost, thisMachine, type MachineIdentity } from './off-machine.ts';

/** Everything the health views show. */
export interface Health extends LocationHealth {
  protection: BackupProtection;
  schedule: ScheduleState | null;
  testRestore: TestRestoreState;
}

/** The services {@link readHealth} reads. */
export type HealthServices = Pick<
  ServerServices,
  'instance' | 'scheduleState' | 'downloads' | 'verifications' | 'targetPusher' | 'testRestoreState'
>;

/** Options of {@link readHealth}, for tests. */
export interface ReadHealthOptions {
  /** Default: now. */
  now?: Date;
  /** Default: this machine's host name and addresses. */
  machine?: MachineIdentity;
}

/** The archives in `dir` (no meta read: names, sizes and times are all the lines need), or why not. */
export async function listDirectory(dir: string): Promise<DirectoryListingOutcome> {
  try {
    return { dir, backups: await listBackups(dir, { readMeta: false }) };
  } catch (error) {
    if (!isLockerError(error)) throw error;
    const details: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(error.details ?? {})) {
      if (typeof value === 'string' || typeof value === 'number') details[key] = value;
    }
    return { dir, error: { code: error.code, message: error.message, details } };
  }
}

async function deviceOf(dir: string): Promise<number | null> {
  try {
    return (await fs.stat(dir)).dev;
  } catch {
    return null;
  }
}

/**
 * What a backup needs on the backup directory's disk besides its archive, from the preflight's own
 * needs (core's backupSpaceNeeds): with the data directory on that disk (or unknown), its database
 * copies, spool and margin; else core's margin alone.
 */
async function backupWorkingBytes(dataDir: string, backupDir: string, sameDisk: boolean | null): Promise<number> {
  let needs: SpaceNeed[];
  try {
    needs = await backupSpaceNeeds(dataDir, backupDir);
  } catch {
    return FREE_SPACE_MARGIN;
  }
  const working = needs.filter((need) => need.dir !== backupDir && sameDisk !== false).reduce((sum, need) => sum + need.bytes, 0);
  return Math.max(FREE_SPACE_MARGIN, working);
}

/** Reads the facts and decides the protection line, the locations, the 3-2-1 picture and the space. */
export async function readHealth(services: HealthServices, options: ReadHealthOptions = {}): Promise<Health> {
  const now = options.now ?? new Date();
  const machine = options.machine ?? thisMachine();
  const { instance } = services;
  const schedule = services.scheduleState();
  const backupDir = instance.backupPath;
  const [current, earlier, states, free, offMachine, backupDevice, dataDevice] = await Promise.all([
    listDirectory(backupDir),
    Promise.all((schedule?.previousBackupPaths ?? []).map(listDirectory)),
    readTargetState(instance.dataDir).catch((): TargetsState => ({})),
    freeBytes(backupDir).catch(() => null),
    isDirectoryOffMachine(backupDir),
    deviceOf(backupDir),
    deviceOf(instance.dataDir),
  ]);
  const protection = decideBackupProtection({
    now,
    current,
    earlier,
    schedule,
    lastDownloadAt: services.downloads.lastFinishedAt,
    formatTime: formatLocalIso,
  });
  const newest = newestLocalBackup(current);
  const newestVerification = newest === null ? null : await services.verifications.lookup(backupDir, newest).catch(() => null);
  const targets = instanceTargets(instance).targets.map((target) => ({
    target,
    where: formatTargetUrl(target),
    state: states[target.id] ?? null,
    pushing: services.targetPusher.pushing(target.id),
    offMachine: isTargetOffMachine(target, machine),
    place: targetHost(target) ?? 'aws-s3',
  }));
  const health = decideLocationHealth({
    now,
    current,
    protection,
    schedule,
    newestVerification,
    backupDirOffMachine: offMachine,
    backupDirSameDiskAsData: backupDevice === null || dataDevice === null ? null : backupDevice === dataDevice,
    targets,
    freeBytes: free,
    backupWorkingBytes: await backupWorkingBytes(
      instance.dataDir,
      backupDir,
      backupDevice === null || dataDevice === null ? null : backupDevice === dataDevice,
    ),
    formatTime: formatLocalIso,
  });
  return { ...health, protection, schedule, testRestore: services.testRestoreState() };
}
