import { afterEach, describe, expect, it } from 'vitest';
import type { BackupList, ScheduleState } from '../api/server-types.ts';
import { setLocale } from '../i18n/i18n.ts';
import { createBackups } from './use-backups.ts';

afterEach(() => setLocale('en'));

const LIST: BackupList = {
  backupPath: '/backups',
  backups: [
    {
      fileName: 'docsight_backup_2026-11-26_070200.tar.gz',
      path: '/backups/docsight_backup_2026-11-26_070200.tar.gz',
      size: 3_021_406,
      modified: '2026-11-26T08:02:00.000+01:00',
      trigger: 'manual',
      sealed: null,
      verified: null,
    },
  ],
};

const SCHEDULE: ScheduleState = {
  enabled: true,
  reason: null,
  paused: false,
  backupPath: '/backups',
  intervalHours: 24,
  retention: 5,
  retentionRule: { keepLast: 5, includeManual: false, includePreRestore: false },
  lastSuccessAt: null,
  lastSuccessFile: null,
  lastFailureAt: null,
  lastFailureMessage: null,
  consecutiveFailures: 0,
  failingSince: null,
  lastFailureCode: null,
  lastFailureDetails: {},
  previousBackupPaths: [],
  nextRunAt: '2026-11-27T08:00:00.000+01:00',
  running: false,
  lastBackupAt: '2026-11-26T08:02:00.000+01:00',
  nextBackupAt: '2026-11-27T08:00:00.000+01:00',
};

/** A backups client answering from `answers`, counting the reads; a thrown error is the server's refusal. */
function fakeClient(answers: { list: () => BackupList; schedule: () => ScheduleState }) {
  const reads = { list: 0, schedule: 0 };
  const client = {
    backups: {
      list: { query: async () => (reads.list++, answers.list()) },
      schedule: { query: async () => (reads.schedule++, answers.schedule()) },
    },
  };
  return { client: client as never, reads };
}

describe('createBackups', () => {
  it('reads the list and the schedule again after a change', async () => {
    const { client, reads } = fakeClient({ list: () => LIST, schedule: () => SCHEDULE });
    const backups = createBackups(client);
    expect(backups.list.value).toBeNull();
    await backups.changed();
    expect(backups.list.value).toEqual(LIST);
    expect(backups.schedule.value).toEqual(SCHEDULE);
    await backups.changed();
    expect(reads).toEqual({ list: 2, schedule: 2 });
  });

  it("says why the list could not be read, in the user's language, and forgets it once it can", async () => {
    let refuse = true;
    const { client } = fakeClient({
      list: () => {
        if (!refuse) return LIST;
        const data = { lockerCode: 'PERMISSION_DENIED', details: { path: '/backups' } };
        throw Object.assign(new Error('Permission denied: /backups'), { data });
      },
      schedule: () => SCHEDULE,
    });
    const backups = createBackups(client);
    setLocale('de');
    await expect(backups.changed()).resolves.toBeUndefined();
    expect(backups.loadError.value).toBe('Zugriff verweigert: Der Server darf dort nicht lesen oder schreiben.');
    refuse = false;
    await backups.refreshList();
    expect(backups.loadError.value).toBeNull();
    expect(backups.list.value).toEqual(LIST);
  });

  it('keeps the last schedule it read when a later read fails', async () => {
    let fail = false;
    const { client } = fakeClient({
      list: () => LIST,
      schedule: () => {
        if (fail) throw new Error('The server could not be reached.');
        return SCHEDULE;
      },
    });
    const backups = createBackups(client);
    await backups.refreshSchedule();
    fail = true;
    await expect(backups.refreshSchedule()).resolves.toBeUndefined();
    expect(backups.schedule.value).toEqual(SCHEDULE);
  });
});
