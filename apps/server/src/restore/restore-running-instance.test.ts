import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { decryptSecret } from '@evidence-locker/core';
import { createTestServices } from '@evidence-locker/server/testing/test-services';
import { restoreRunningInstance } from './restore-running-instance.ts';
import {
  FIXTURE_A,
  FIXTURE_A_MODEM_PASSWORD,
  FIXTURE_A_SNAPSHOTS,
  corruptDatabaseArchive,
} from '@evidence-locker/server/testing/restore-support';

function recordingSchedule() {
  const calls: string[] = [];
  return { calls, schedule: { pause: () => void calls.push('pause'), resume: () => void calls.push('resume') } };
}

describe('restoreRunningInstance', () => {
  it('pauses the schedule, restores, reopens the databases and reloads config and keys, then resumes', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
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
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
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
    const setup = await createTestServices({ config: { modem_type: 'tc4400' } });
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

  it('is refused while another app keeps a database open, and the server keeps serving its data', async () => {
    const setup = await createTestServices({ config: { modem_type: 'fritzbox' } });
    const { instance } = setup.services;
    // Another app on the same data directory that keeps one connection open (better-sqlite3).
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]);
         db.pragma('journal_mode = WAL');
         db.exec('CREATE TABLE IF NOT EXISTS writer_probe (n INTEGER)');
         console.log('open');
         setInterval(() => db.prepare('INSERT INTO writer_probe VALUES (1)').run(), 20);`,
        instance.historyPath,
      ],
      { cwd: import.meta.dirname, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(writer.stdout, 'data');
      const { calls, schedule } = recordingSchedule();
      const error = await restoreRunningInstance({ instance, archivePath: FIXTURE_A, schedule }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DATABASE_IN_USE' });
      expect((error as Error).message).toMatch(
        /^docsis_history\.db is open in another process .* Stop the app that uses it, then restore\.$/,
      );
      expect(calls).toEqual(['pause', 'resume']);
      expect(instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: 0 });
      expect(fs.readdirSync(instance.backupPath)).toEqual([]);
    } finally {
      writer.kill('SIGKILL');
      await once(writer, 'exit');
    }
    // Once the other app has stopped, the same restore goes through.
    await restoreRunningInstance({ instance, archivePath: FIXTURE_A });
    expect(instance.historyDb.prepare('SELECT count(*) AS n FROM snapshots').get()).toEqual({ n: FIXTURE_A_SNAPSHOTS });
  });
});
