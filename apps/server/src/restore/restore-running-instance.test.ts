import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { decryptSecret } from '@evidence-locker/core';
import { createTestServices, type TestServices } from '../test-support/test-services.ts';
import { restoreRunningInstance } from './restore-running-instance.ts';
import { FIXTURE_A, FIXTURE_A_MODEM_PASSWORD, FIXTURE_A_SNAPSHOTS, corruptDatabaseArchive } from './restore-test-support.ts';

let setup: TestServices | undefined;
afterEach(async () => {
  await setup?.cleanup();
  setup = undefined;
});

function recordingSchedule() {
  const calls: string[] = [];
  return { calls, schedule: { pause: () => void calls.push('pause'), resume: () => void calls.push('resume') } };
}

describe('restoreRunningInstance', () => {
  it('pauses the schedule, restores, reopens the databases and reloads config and keys, then resumes', async () => {
    setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const { instance } = setup.services;
    const { calls, schedule } = recordingSchedule();
    const result = await restoreRunningInstance({
      instance,
      archivePath: FIXTURE_A,
      schedule: {
        pause: () => {
          calls.push('pause');
          // The instance still serves its old data while the archive is read.
          expect(instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: 0 });
        },
        resume: schedule.resume,
      },
    });
    expect(calls).toEqual(['pause', 'resume']);
    expect(result.preRestoreBackup).not.toBeNull();
    expect(instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: FIXTURE_A_SNAPSHOTS });
    expect(decryptSecret(instance.snapshot.configKey, instance.snapshot.config['modem_password'])).toBe(FIXTURE_A_MODEM_PASSWORD);
  });

  it('resumes the schedule and keeps the databases open when the archive fails before publishing', async () => {
    setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const { instance } = setup.services;
    const archive = `${setup.root}/corrupt.tar.gz`;
    fs.writeFileSync(archive, corruptDatabaseArchive());
    const { calls, schedule } = recordingSchedule();
    await expect(restoreRunningInstance({ instance, archivePath: archive, schedule })).rejects.toMatchObject({
      code: 'DATABASE_CORRUPT',
    });
    expect(calls).toEqual(['pause', 'resume']);
    expect(instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: 0 });
    expect(instance.snapshot.config['modem_type']).toBe('fritzbox');
  });

  it('finishes a publish that failed halfway when it reopens the databases, then reports the failure', async () => {
    setup = await createTestServices({ config: { modem_type: 'tc4400' } });
    const { instance } = setup.services;
    const { calls, schedule } = recordingSchedule();
    let steps = 0;
    await expect(
      restoreRunningInstance({
        instance,
        archivePath: FIXTURE_A,
        schedule,
        beforePublishStep: () => {
          steps += 1;
          if (steps === 2) throw new Error('simulated crash while publishing');
        },
      }),
    ).rejects.toMatchObject({ code: 'DATA_DIR_UNUSABLE' });
    expect(calls).toEqual(['pause', 'resume']);
    // Committed restores roll forward: the instance now serves the archive.
    expect(instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: FIXTURE_A_SNAPSHOTS });
    expect(decryptSecret(instance.snapshot.configKey, instance.snapshot.config['modem_password'])).toBe(FIXTURE_A_MODEM_PASSWORD);
    expect(fs.readdirSync(setup.dataDir).filter((name) => name.startsWith('.evidence-locker-restore-'))).toEqual([]);
  });
});
