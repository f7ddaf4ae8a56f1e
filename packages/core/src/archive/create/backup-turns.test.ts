import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLockerError } from '../../errors.ts';
import { takeBackupTurn } from './backup-turns.ts';
import { createBackup, type BackupProgress } from './create-backup.ts';
import { makeDataDir } from '@evidence-locker/core/testing/create-backup-fixtures';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

describe('backup turns', () => {
  it('runs two backups of one process one after the other; the second says it is waiting', async () => {
    const fx = makeDataDir({ userRows: 200 });
    cleanups.push(fx.cleanup);
    const backupDir = path.join(path.dirname(fx.dataDir), 'backups');
    const events: string[] = [];
    const track = (name: string) => (progress: BackupProgress) => {
      const event = `${name}:${progress.phase}`;
      if (events.at(-1) !== event) events.push(event);
    };
    const [first, second] = await Promise.all([
      createBackup({ dataDir: fx.dataDir, destination: { kind: 'directory', backupDir }, trigger: 'manual', onProgress: track('a') }),
      createBackup({ dataDir: fx.dataDir, destination: { kind: 'directory', backupDir }, trigger: 'scheduled', onProgress: track('b') }),
    ]);
    // Exactly one of them waited, and it started its snapshot only once the other had finished compressing.
    const waiting = events.filter((event) => event.endsWith(':waiting'));
    expect(waiting).toHaveLength(1);
    const waiter = waiting[0]!.split(':')[0]!;
    const other = waiter === 'a' ? 'b' : 'a';
    expect(events.indexOf(`${waiter}:snapshot`)).toBeGreaterThan(events.indexOf(`${other}:write`));
    expect(first.fileName).not.toBe(second.fileName);
    expect(fs.readdirSync(backupDir).sort()).toEqual([first.fileName, second.fileName].sort());
  });

  it('gives up the place in the queue when a waiting backup is cancelled, and the next one still runs', async () => {
    const endFirst = await takeBackupTurn();
    const cancel = new AbortController();
    let waited = 0;
    const cancelled = takeBackupTurn(cancel.signal, () => {
      waited += 1;
    });
    const third = takeBackupTurn();
    cancel.abort();
    await expect(cancelled).rejects.toSatisfy((error: unknown) => isLockerError(error, 'CANCELLED'));
    expect(waited).toBe(1);
    let thirdGranted = false;
    void third.then(() => {
      thirdGranted = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(thirdGranted).toBe(false);
    endFirst();
    endFirst(); // a second call changes nothing
    const endThird = await third;
    expect(thirdGranted).toBe(true);
    endThird();
    // Free again: the next turn is granted at once.
    (await takeBackupTurn())();
  });
});
