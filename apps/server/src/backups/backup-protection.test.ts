import type { BackupListEntry } from '@evidence-locker/core';
import { describe, expect, it } from 'vitest';
import { scheduleState } from '@evidence-locker/server/testing/schedule-state';
import { decideBackupProtection, type ProtectionFacts } from './backup-protection.ts';

const NOW = new Date('2026-11-26T12:00:00.000Z');
const HOUR = 3_600_000;

const entry = (fileName: string, hoursAgo: number, size = 1000): BackupListEntry => ({
  fileName,
  path: `/backups/${fileName}`,
  size,
  modified: new Date(NOW.getTime() - hoursAgo * HOUR).toISOString(),
  trigger: null,
  sealed: null,
});

const schedule = scheduleState;

const facts = (overrides: Partial<ProtectionFacts> = {}): ProtectionFacts => ({
  now: NOW,
  current: { dir: '/backups', backups: [] },
  earlier: [],
  schedule: schedule(),
  lastDownloadAt: null,
  formatTime: (date) => date.toISOString(),
  ...overrides,
});

describe('decideBackupProtection', () => {
  it('is protected by a recent archive, and lists every archive oldest first for the size chart', () => {
    const decided = decideBackupProtection(
      facts({ current: { dir: '/backups', backups: [entry('b.tar.gz', 3, 2000), entry('a.tar.gz', 27, 1000)] } }),
    );
    expect(decided).toMatchObject({ state: 'protected', copies: 2, newestBackup: { fileName: 'b.tar.gz' }, fixSection: null });
    expect(decided.backups.map((backup) => backup.fileName)).toEqual(['a.tar.gz', 'b.tar.gz']);
  });

  it('dates a directory copied without its times by the names: the newest is the newest made, and an old copy is overdue', () => {
    // Both files got the time of the copy (an hour ago); the one copied last is the older backup.
    const made = (hoursAgo: number) => {
      const at = new Date(NOW.getTime() - hoursAgo * HOUR);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `docsight_backup_${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}_${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}.tar.gz`;
    };
    const copied = [{ ...entry(made(100), 1), modified: new Date(NOW.getTime() - HOUR + 5).toISOString() }, entry(made(60), 1)];
    const decided = decideBackupProtection(facts({ current: { dir: '/backups', backups: copied } }));
    expect(decided).toMatchObject({ state: 'overdue', newestBackup: { fileName: made(60) } });
    expect(decided.lastCopyAt).toBe(new Date(NOW.getTime() - 60 * HOUR).toISOString());
    // The page names the archive beside the time: the time is its name's, not its file's.
    expect(decided.lastCopyFile).toBe(made(60));
    expect(decided.backups.map((backup) => backup.fileName)).toEqual([made(100), made(60)]);
  });

  it('is overdue when the newest copy is older than two intervals, without any failure', () => {
    expect(decideBackupProtection(facts({ current: { dir: '/backups', backups: [entry('a.tar.gz', 49)] } })).state).toBe('overdue');
    expect(decideBackupProtection(facts({ current: { dir: '/backups', backups: [entry('a.tar.gz', 47)] } })).state).toBe('protected');
  });

  it('allows a week when nothing schedules backups, and says why the schedule is off', () => {
    const off = schedule({ enabled: false, reason: 'turned off in the settings' });
    const recent = decideBackupProtection(facts({ schedule: off, current: { dir: '/backups', backups: [entry('a.tar.gz', 6 * 24)] } }));
    expect(recent).toMatchObject({ state: 'protected', scheduled: false, scheduleOffReason: 'turned off in the settings' });
    const old = decideBackupProtection(facts({ schedule: off, current: { dir: '/backups', backups: [entry('a.tar.gz', 8 * 24)] } }));
    expect(old).toMatchObject({ state: 'overdue', fixSection: 'automatic-backups' });
  });

  it('counts a newer download as the last copy', () => {
    const downloaded = new Date(NOW.getTime() - HOUR);
    const decided = decideBackupProtection(
      facts({ lastDownloadAt: downloaded, current: { dir: '/backups', backups: [entry('a.tar.gz', 72)] } }),
    );
    expect(decided).toMatchObject({ state: 'protected', lastCopyAt: downloaded.toISOString(), newestBackup: { fileName: 'a.tar.gz' } });
    expect(decided.lastCopyFile).toBeNull();
  });

  it('is unprotected with no archive anywhere and no download', () => {
    expect(decideBackupProtection(facts())).toMatchObject({ state: 'unprotected', lastCopyAt: null, fixSection: 'automatic-backups' });
  });

  it('says failing while the schedule fails, even with a recent archive', () => {
    const failing = schedule({
      consecutiveFailures: 2,
      failingSince: '2026-11-24T08:00:00.000Z',
      lastFailureAt: '2026-11-26T11:00:00.000Z',
      lastFailureCode: 'DISK_FULL',
      lastFailureMessage: 'The disk is full.',
    });
    const decided = decideBackupProtection(facts({ schedule: failing, current: { dir: '/backups', backups: [entry('a.tar.gz', 1)] } }));
    expect(decided).toMatchObject({
      state: 'failing',
      failure: { since: '2026-11-24T08:00:00.000Z', count: 2, code: 'DISK_FULL', message: 'The disk is full.' },
    });
  });

  it('counts archives in earlier backup paths, but not the current path twice, and skips ones that cannot be listed', () => {
    const decided = decideBackupProtection(
      facts({
        earlier: [
          { dir: '/old', backups: [entry('old.tar.gz', 5)] },
          { dir: '/backups', backups: [entry('dup.tar.gz', 1)] },
          { dir: '/gone', error: { code: 'BACKUP_DIR_UNUSABLE', message: 'gone', details: {} } },
        ],
      }),
    );
    expect(decided).toMatchObject({
      state: 'protected',
      copies: 0,
      earlierPaths: [{ path: '/old', copies: 1 }],
      newestBackup: { fileName: 'old.tar.gz', dir: '/old' },
    });
  });
});
