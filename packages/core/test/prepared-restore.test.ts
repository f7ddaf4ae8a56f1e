/**
 * A restore in two halves, as the server runs an upload: prepareRestore stages and verifies while
 * the upload arrives; restoreBackup({ prepared }) only publishes when the user confirms.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  discardPreparedRestore,
  isLockerError,
  PREPARED_PREFIX,
  prepareRestore,
  preparedRestoreIntact,
  recoverInterruptedRestore,
  RESTORE_INTENT_FILE,
  restoreBackup,
  sweepWorkFiles,
} from '../src/index.ts';
import {
  buildTarGz,
  cleanupTempDirs,
  makeLiveDataDir,
  memberDigests,
  metaText,
  readSnapshotRows,
  sha256,
  snapshotDbBytes,
  snapshotDir,
} from './support/restore-support.ts';

afterEach(cleanupTempDirs);

async function archiveOf(label: string): Promise<Buffer> {
  return buildTarGz([
    { name: 'backup_meta.json', content: metaText() },
    { name: 'docsis_history.db', content: snapshotDbBytes([label], { wal: true }) },
    { name: 'config.json', content: `{"modem_type":"${label}"}` },
  ]);
}

function preparedFiles(dataDir: string): string[] {
  return fs.readdirSync(dataDir).filter((name) => name.startsWith(PREPARED_PREFIX));
}

describe('prepared restores', () => {
  it('checks a WAL-flagged database against the digest of its archived bytes, though the staged copy is made rollback-mode', async () => {
    const db = { name: 'docsis_history.db', content: snapshotDbBytes(['flagged'], { wal: true }) };
    const archive = await buildTarGz([{ name: 'backup_meta.json', content: metaText({ members: memberDigests([db]) }) }, db]);
    const dataDir = makeLiveDataDir();
    const prepared = await prepareRestore({ source: Readable.from([archive]), dataDir, stagingPrefix: `${PREPARED_PREFIX}wal-` });
    expect(prepared.members).toEqual([{ name: 'docsis_history.db', size: db.content.length, sha256: sha256(db.content) }]);
    const staged = fs.readFileSync(prepared.staged.get('docsis_history.db')!);
    expect([staged[18], staged[19]]).toEqual([1, 1]);
    expect(staged.subarray(20)).toEqual(db.content.subarray(20));
    await discardPreparedRestore(prepared);
  });

  it('stages beside the live files without changing them, then publishes without reading the archive again', async () => {
    const dataDir = makeLiveDataDir();
    const before = snapshotDir(dataDir);
    const prepared = await prepareRestore({
      source: Readable.from([await archiveOf('uploaded')]),
      dataDir,
      stagingPrefix: `${PREPARED_PREFIX}u1-`,
    });
    expect(prepared.files).toEqual(['backup_meta.json', 'docsis_history.db', 'config.json']);
    expect(prepared.configured).toBe(true);
    expect(preparedFiles(dataDir)).toHaveLength(2);
    // The live files are untouched, and a restore's recovery leaves prepared files alone.
    await recoverInterruptedRestore(dataDir);
    const { [preparedFiles(dataDir)[0]!]: _a, [preparedFiles(dataDir)[1]!]: _b, ...live } = snapshotDir(dataDir);
    expect(live).toEqual(before);
    expect(await preparedRestoreIntact(prepared)).toBe(true);

    const result = await restoreBackup({ prepared, dataDir });
    expect(result.restoredFiles).toEqual(['docsis_history.db', 'config.json']);
    expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).toEqual(['uploaded']);
    expect(preparedFiles(dataDir)).toEqual([]);
  });

  it('keeps two uploads apart: restoring one leaves the other ready', async () => {
    const dataDir = makeLiveDataDir();
    const first = await prepareRestore({
      source: Readable.from([await archiveOf('first')]),
      dataDir,
      stagingPrefix: `${PREPARED_PREFIX}a-`,
    });
    const second = await prepareRestore({
      source: Readable.from([await archiveOf('second')]),
      dataDir,
      stagingPrefix: `${PREPARED_PREFIX}b-`,
    });
    await restoreBackup({ prepared: first, dataDir });
    expect(await preparedRestoreIntact(second)).toBe(true);
    await restoreBackup({ prepared: second, dataDir });
    expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).toEqual(['second']);
  });

  it('removes what it staged when the archive is refused, and discards on request', async () => {
    const dataDir = makeLiveDataDir();
    const before = snapshotDir(dataDir);
    const whole = await archiveOf('broken');
    const broken = whole.subarray(0, whole.length - 10);
    const error = await prepareRestore({ source: Readable.from([broken]), dataDir, stagingPrefix: `${PREPARED_PREFIX}x-` }).catch(
      (e: unknown) => e,
    );
    expect(isLockerError(error)).toBe(true);
    expect(snapshotDir(dataDir)).toEqual(before);

    const prepared = await prepareRestore({
      source: Readable.from([await archiveOf('kept')]),
      dataDir,
      stagingPrefix: `${PREPARED_PREFIX}y-`,
    });
    await discardPreparedRestore(prepared);
    expect(snapshotDir(dataDir)).toEqual(before);
    expect(await preparedRestoreIntact(prepared)).toBe(false);
  });

  it('rolls a prepared restore forward after a crash mid-publish, even across the start-up sweep', async () => {
    const dataDir = makeLiveDataDir();
    const prepared = await prepareRestore({
      source: Readable.from([await archiveOf('crashed')]),
      dataDir,
      stagingPrefix: `${PREPARED_PREFIX}c-`,
    });
    const error = await restoreBackup({
      prepared,
      dataDir,
      beforePublishStep: (step) => {
        if (step.kind === 'rename' && step.to === 'config.json') throw new Error('power cut');
      },
    }).catch((e: unknown) => e);
    expect(isLockerError(error, 'DATA_DIR_UNUSABLE')).toBe(true);
    expect(fs.existsSync(path.join(dataDir, RESTORE_INTENT_FILE))).toBe(true);
    // The server's start sweeps work files first: the intent's staged config must survive it.
    await sweepWorkFiles(dataDir);
    expect(preparedFiles(dataDir)).toHaveLength(1);
    expect((await recoverInterruptedRestore(dataDir)).rolledForward).toBe(true);
    expect(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')).toBe('{"modem_type":"crashed"}');
    expect(readSnapshotRows(path.join(dataDir, 'docsis_history.db'))).toEqual(['crashed']);
    expect(preparedFiles(dataDir)).toEqual([]);
  });

  it('refuses a prepared restore for another data directory, and a restore with both or neither source', async () => {
    const dataDir = makeLiveDataDir();
    const prepared = await prepareRestore({
      source: Readable.from([await archiveOf('elsewhere')]),
      dataDir,
      stagingPrefix: `${PREPARED_PREFIX}d-`,
    });
    const other = makeLiveDataDir();
    await expect(restoreBackup({ prepared, dataDir: other })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(restoreBackup({ dataDir })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(restoreBackup({ prepared, source: Readable.from([Buffer.alloc(0)]), dataDir })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
