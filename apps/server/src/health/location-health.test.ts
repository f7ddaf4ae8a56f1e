import { emptyTargetState, formatLocalIso, type BackupListEntry, type TargetState } from '@evidence-locker/core';
import { describe, expect, it } from 'vitest';
import { decideBackupProtection, type DirectoryListingOutcome } from '../backups/backup-protection.ts';
import type { ScheduleState } from '../schedule-state.ts';
import { scheduleState } from '@evidence-locker/server/testing/schedule-state';
import { decideLocationHealth, type LocationFacts, type TargetFacts } from './location-health.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const HOUR = 3_600_000;
const ago = (hours: number): Date => new Date(NOW.getTime() - hours * HOUR);
/** A backup file name for a time `hours` ago, as local time (the way DOCSight names them). */
function nameAt(hours: number): string {
  const at = ago(hours);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `docsight_backup_${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}_${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}.tar.gz`;
}
const backup = (hours: number, size = 1000): BackupListEntry => ({
  fileName: nameAt(hours),
  path: `/backups/${nameAt(hours)}`,
  size,
  modified: formatLocalIso(ago(hours)),
  trigger: null,
  sealed: null,
});

const schedule = (overrides: Partial<ScheduleState> = {}): ScheduleState => {
  const next = formatLocalIso(new Date(NOW.getTime() + 20 * HOUR));
  return scheduleState({ nextRunAt: next, nextBackupAt: next, ...overrides });
};

function target(name: string, state: Partial<TargetState> | null, overrides: Partial<TargetFacts> = {}): TargetFacts {
  return {
    target: { id: `id-${name}`, name, kind: 'sftp', enabled: true },
    where: `sftp://backup@${name}/backups`,
    state: state === null ? null : { ...emptyTargetState(), ...state },
    pushing: false,
    offMachine: true,
    place: name,
    ...overrides,
  };
}

function facts(overrides: Partial<LocationFacts> & { backups?: BackupListEntry[] } = {}): LocationFacts {
  const { backups = [backup(3), backup(27)], ...rest } = overrides;
  const current: DirectoryListingOutcome = { dir: '/backups', backups };
  const sched = 'schedule' in overrides ? (overrides.schedule ?? null) : schedule();
  return {
    now: NOW,
    current,
    protection: decideBackupProtection({
      now: NOW,
      current,
      earlier: [],
      schedule: sched,
      lastDownloadAt: null,
      formatTime: formatLocalIso,
    }),
    schedule: sched,
    newestVerification: { ok: true, at: formatLocalIso(ago(2.9)) },
    backupDirOffMachine: false,
    backupDirSameDiskAsData: true,
    targets: [],
    freeBytes: 10_500,
    backupWorkingBytes: 0,
    formatTime: formatLocalIso,
    ...rest,
  };
}

describe('decideLocationHealth', () => {
  it('lists the backup directory first with its newest backup, verification, copies and next run', () => {
    const { locations, space } = decideLocationHealth(facts());
    expect(locations).toHaveLength(1);
    expect(locations[0]).toMatchObject({
      kind: 'local',
      id: null,
      name: '/backups',
      offMachine: false,
      copies: 2,
      status: 'ok',
      failure: null,
      holdsNewestBackup: true,
      nextRun: { kind: 'schedule', at: schedule().nextBackupAt },
      newest: { name: nameAt(3), ageSeconds: 3 * 3600, size: 1000, verification: { ok: true }, arrivedAt: null },
    });
    expect(space).toEqual({ freeBytes: 10_500, backupSize: 1000, moreBackups: 10 });
  });

  it('counts the backups that fit after the working space and margin a backup needs besides its archive', () => {
    // 10,500 bytes free, 2,600 of them needed while the next backup is made: 7 archives of 1,000 fit, not 10.
    expect(decideLocationHealth(facts({ backupWorkingBytes: 2_600 })).space).toEqual({
      freeBytes: 10_500,
      backupSize: 1000,
      moreBackups: 7,
    });
    // Less free than a backup needs to be made: none fits.
    expect(decideLocationHealth(facts({ backupWorkingBytes: 20_000 })).space.moreBackups).toBe(0);
  });

  it('calls a target ok, failing with its last failure and next try, stale, or off', () => {
    const { locations } = decideLocationHealth(
      facts({
        targets: [
          target('nas', {
            lastSuccessAt: ago(2.5).toISOString(),
            lastSuccessName: `${nameAt(3)}.age`,
            uploaded: [nameAt(27), `${nameAt(3)}.age`],
          }),
          target('cloud', {
            lastSuccessAt: ago(26).toISOString(),
            lastSuccessName: nameAt(27),
            uploaded: [nameAt(27)],
            lastFailure: { at: ago(1).toISOString(), code: 'TARGET_UNREACHABLE', message: 'No answer.' },
            failures: 3,
            nextTryAt: new Date(NOW.getTime() + 4 * 60_000).toISOString(),
          }),
          target('attic', { lastSuccessAt: ago(100).toISOString(), lastSuccessName: nameAt(100), uploaded: [nameAt(100)] }),
          target('old', null, { target: { id: 'id-old', name: 'old', kind: 'webdav', enabled: false } }),
        ],
      }),
    );
    const [, nas, cloud, attic, off] = locations;
    expect(nas).toMatchObject({ status: 'ok', copies: 2, holdsNewestBackup: true, nextRun: { kind: 'schedule' } });
    expect(nas?.newest).toMatchObject({ name: `${nameAt(3)}.age`, ageSeconds: 3 * 3600, size: null, verification: null });
    expect(cloud).toMatchObject({
      status: 'failing',
      holdsNewestBackup: false,
      // A record written before failures kept their details: none, the text without placeholders filled.
      failure: { code: 'TARGET_UNREACHABLE', message: 'No answer.', count: 3, details: {} },
      nextRun: { kind: 'retry', at: formatLocalIso(new Date(NOW.getTime() + 4 * 60_000)) },
    });
    // Two schedule intervals (48 hours) is the limit, as the protection line's overdue.
    expect(attic).toMatchObject({ status: 'stale', newest: { ageSeconds: 100 * 3600 } });
    expect(off).toMatchObject({ status: 'off', kind: 'webdav', newest: null, copies: 0, nextRun: null });
  });

  it('says a new target without a copy is stale, and a pushing one has no next run', () => {
    const { locations } = decideLocationHealth(facts({ targets: [target('fresh', null, { pushing: true })] }));
    expect(locations[1]).toMatchObject({ status: 'stale', newest: null, pushing: true, nextRun: null });
  });

  it('calls the backup directory failing when scheduled backups fail, or its newest backup failed verification', () => {
    const failing = decideLocationHealth(
      facts({
        schedule: schedule({
          consecutiveFailures: 2,
          failingSince: formatLocalIso(ago(20)),
          lastFailureAt: formatLocalIso(ago(1)),
          lastFailureCode: 'BACKUP_DIR_UNUSABLE',
          lastFailureMessage: 'Cannot write.',
          lastFailureDetails: { path: '/backups' },
        }),
      }),
    ).locations[0];
    expect(failing).toMatchObject({
      status: 'failing',
      failure: { at: formatLocalIso(ago(1)), count: 2, code: 'BACKUP_DIR_UNUSABLE', details: { path: '/backups' } },
    });
    const corrupt = decideLocationHealth(
      facts({ newestVerification: { ok: false, at: formatLocalIso(ago(2)), code: 'DATABASE_CORRUPT', message: 'Corrupt.' } }),
    ).locations[0];
    expect(corrupt).toMatchObject({ status: 'failing', failure: { code: 'DATABASE_CORRUPT', count: 0 } });
  });

  it('calls the backup directory stale past two intervals, off without a schedule, and stale when empty', () => {
    expect(decideLocationHealth(facts({ backups: [backup(49)] })).locations[0]?.status).toBe('stale');
    expect(decideLocationHealth(facts({ schedule: null })).locations[0]).toMatchObject({ status: 'off', nextRun: null });
    // Without a schedule a week is the limit.
    expect(decideLocationHealth(facts({ schedule: null, backups: [backup(24 * 8)] })).locations[0]?.status).toBe('stale');
    const empty = decideLocationHealth(facts({ backups: [], newestVerification: null }));
    expect(empty.locations[0]).toMatchObject({ status: 'stale', newest: null, copies: 0 });
    expect(empty.space).toEqual({ freeBytes: 10_500, backupSize: null, moreBackups: null });
    expect(empty.copies).toMatchObject({
      newest: null,
      count: 0,
      places: 0,
      rule: { threeCopies: false, twoPlaces: false, oneOffMachine: false },
    });
  });

  it('dates the backup directory by the earlier of the name and the mtime: a directory copied without its times is stale', () => {
    // Copied a few minutes ago without -t: every file modified just now, the oldest written last.
    const copied = (hours: number, copiedHoursAgo: number): BackupListEntry => ({
      ...backup(hours),
      modified: formatLocalIso(ago(copiedHoursAgo)),
    });
    const health = decideLocationHealth(facts({ backups: [copied(74, 0.05), copied(50, 0.1)] }));
    expect(health.locations[0]).toMatchObject({
      status: 'stale',
      newest: { name: nameAt(50), madeAt: formatLocalIso(ago(50)), ageSeconds: 50 * 3600 },
    });
    // The 3-2-1 line is about the same backup, dated by its name.
    expect(health.copies.newest).toEqual({ fileName: nameAt(50), madeAt: formatLocalIso(ago(50)) });
    // Copied 30 hours after a backup of 3 hours' age: within two intervals, still ok by its name.
    expect(decideLocationHealth(facts({ backups: [copied(3, 0.1)] })).locations[0]).toMatchObject({
      status: 'ok',
      newest: { madeAt: formatLocalIso(ago(3)), ageSeconds: 3 * 3600 },
    });
  });

  it('caps a name that reads later than its file was written (named in another time zone) at the mtime', () => {
    // Named two hours in the future, written an hour ago: an hour old, not from the future.
    const ahead: BackupListEntry = { ...backup(-2), modified: formatLocalIso(ago(1)) };
    expect(decideLocationHealth(facts({ backups: [ahead] })).locations[0]).toMatchObject({
      status: 'ok',
      newest: { name: nameAt(-2), madeAt: formatLocalIso(ago(1)), ageSeconds: 3600 },
    });
    // Named 47 hours ago but written 49 hours ago: past the limit of two intervals.
    const late: BackupListEntry = { ...backup(47), modified: formatLocalIso(ago(49)) };
    expect(decideLocationHealth(facts({ backups: [late] })).locations[0]).toMatchObject({
      status: 'stale',
      newest: { madeAt: formatLocalIso(ago(49)), ageSeconds: 49 * 3600 },
    });
  });

  it('draws the 3-2-1 picture of the newest backup: copies, distinct places, off the machine', () => {
    const holds = (name: string, place: string, offMachine = true) =>
      target(name, { lastSuccessAt: ago(2.5).toISOString(), lastSuccessName: nameAt(3), uploaded: [nameAt(3)] }, { place, offMachine });

    // Only the backup directory, on the data's disk: one copy, nothing of the rule holds.
    const alone = decideLocationHealth(facts()).copies;
    expect(alone).toEqual({
      newest: { fileName: nameAt(3), madeAt: formatLocalIso(ago(3)) },
      count: 1,
      places: 1,
      offMachine: 0,
      sameDiskAsData: true,
      rule: { copies: 2, places: 1, offMachine: 0, threeCopies: false, twoPlaces: false, oneOffMachine: false },
    });

    // Plus a NAS holding it: three copies with the live data, two places, one off the machine.
    const nas = decideLocationHealth(facts({ targets: [holds('nas', 'nas.lan')] })).copies;
    expect(nas).toMatchObject({
      count: 2,
      places: 2,
      offMachine: 1,
      rule: { copies: 3, places: 2, offMachine: 1, threeCopies: true, twoPlaces: true, oneOffMachine: true },
    });

    // Two targets on one host are one place; a target on this machine is not off it.
    const sameHost = decideLocationHealth(
      facts({ targets: [holds('a', 'box.lan'), holds('b', 'box.lan'), holds('here', 'localhost', false)] }),
    ).copies;
    expect(sameHost).toMatchObject({ count: 4, places: 3, offMachine: 2 });

    // A target behind with an older backup does not count.
    const behind = decideLocationHealth(
      facts({ targets: [target('late', { lastSuccessName: nameAt(27), lastSuccessAt: ago(26).toISOString(), uploaded: [nameAt(27)] })] }),
    ).copies;
    expect(behind).toMatchObject({ count: 1, offMachine: 0 });
  });

  it('takes the newest copy on a target when the backup directory is empty', () => {
    const { copies, locations } = decideLocationHealth(
      facts({
        backups: [],
        newestVerification: null,
        targets: [
          target('nas', { lastSuccessAt: ago(5).toISOString(), lastSuccessName: `${nameAt(6)}.age`, uploaded: [`${nameAt(6)}.age`] }),
        ],
      }),
    );
    expect(copies).toMatchObject({
      newest: { fileName: nameAt(6) },
      count: 1,
      offMachine: 1,
      rule: { oneOffMachine: true, twoPlaces: true },
    });
    expect(locations[1]?.holdsNewestBackup).toBe(true);
  });
});
