/**
 * A restore's point of no return: a cancel until its files start to be put in place leaves the
 * data directory as it was; from `publish` on (reported before the intent is written) the
 * restore finishes whatever the signal says, so a caller stops offering Cancel there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreDataDir } from '../src/archive/restore/restore-data-dir.ts';
import { isLockerError } from '../src/errors.ts';
import { FIXTURE_A, cleanupTempDirs, makeLiveDataDir, makeTempDir, readSnapshotRows, snapshotDir } from './support/restore-support.ts';

afterEach(cleanupTempDirs);

describe('cancelling a restore', () => {
  it('leaves the live data as it was when cancelled just before the point of no return', async () => {
    const dataDir = makeLiveDataDir();
    const before = snapshotDir(dataDir);
    const controller = new AbortController();
    const phases: string[] = [];
    const restoring = restoreDataDir({
      source: fs.createReadStream(FIXTURE_A),
      dataDir,
      backupDir: makeTempDir('backups'),
      signal: controller.signal,
      onProgress: (progress) => phases.push(progress.phase),
      // The last step before the intent is written: the pre-restore backup is done by now.
      beforePublish: async () => controller.abort(),
    });
    const error = await restoring.catch((caught: unknown) => caught);
    expect(isLockerError(error) && error.code).toBe('CANCELLED');
    expect(phases).not.toContain('publish');
    // The files the archive would replace are as they were, and no work file is left. (Holding the
    // live databases applied the history database's stale -wal, as any opener does.)
    const after = snapshotDir(dataDir);
    for (const name of ['config.json', '.config_key', '.session_key', '.auth_state', 'connection_monitor.db', 'modules/theme.css']) {
      expect(after[name], name).toBe(before[name]);
    }
    expect(Object.keys(after).filter((name) => name.startsWith('.evidence-locker-'))).toEqual([]);
    expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).toEqual(['live']);
  });

  it('finishes a restore asked to stop once it reported publish', async () => {
    const dataDir = makeLiveDataDir();
    const controller = new AbortController();
    const result = await restoreDataDir({
      source: fs.createReadStream(FIXTURE_A),
      dataDir,
      backupDir: makeTempDir('backups'),
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.phase === 'publish') controller.abort();
      },
    });
    expect(controller.signal.aborted).toBe(true);
    expect(result.restoredFiles).toContain('docsis_history.db');
    expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).not.toEqual(['live']);
  });
});
