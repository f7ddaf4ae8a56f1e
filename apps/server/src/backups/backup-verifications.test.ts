import { mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BACKUP_VERIFICATIONS_FILE, formatLocalIso, listBackups, pruneBackups, sweepWorkFiles } from '@evidence-locker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupVerifications, MAX_FILE_BYTES, MAX_KEPT, type BackupFileVersion } from './backup-verifications.ts';

let dir: string;
const warnings: string[] = [];
const log = { warn: (_fields: object, message: string) => void warnings.push(message) };

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'verifications-'));
  warnings.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a stand-in backup file and returns its version as the backup list sees it. */
async function backupFile(
  fileName: string,
  content = 'archive bytes',
  mtime = new Date('2026-11-26T08:00:00.123Z'),
): Promise<BackupFileVersion> {
  const file = path.join(dir, fileName);
  await writeFile(file, content);
  await utimes(file, mtime, mtime);
  const stats = await stat(file);
  return { fileName, size: stats.size, modified: formatLocalIso(stats.mtime) };
}

const OK = { ok: true, at: '2026-11-26T09:00:00.000+01:00' };

describe('BackupVerifications', () => {
  it('keeps a verification in the backup directory, so a restarted server still knows it', async () => {
    const file = await backupFile('docsight_backup_2026-11-26_080000.tar.gz');
    await new BackupVerifications({ log }).record(dir, file, OK);
    const restarted = new BackupVerifications({ log });
    expect(await restarted.lookup(dir, file)).toEqual(OK);
    expect(warnings).toEqual([]);
  });

  it('shows a file changed since its verification as not verified', async () => {
    const file = await backupFile('docsight_backup_2026-11-26_080000.tar.gz');
    await new BackupVerifications().record(dir, file, OK);
    const rewritten = await backupFile(file.fileName, 'other archive bytes');
    const touched = await backupFile(file.fileName, 'archive bytes', new Date('2026-11-26T08:00:01.123Z'));
    const restarted = new BackupVerifications();
    expect(await restarted.lookup(dir, rewritten)).toBeNull();
    expect(await restarted.lookup(dir, touched)).toBeNull();
  });

  it('ignores a corrupt or foreign state file, logs it, and writes a good one at the next verification', async () => {
    const file = await backupFile('docsight_backup_2026-11-26_080000.tar.gz');
    const stateFile = path.join(dir, BACKUP_VERIFICATIONS_FILE);
    for (const content of ['{"format": "evidence-locker-verif', JSON.stringify({ format: 'something-else', entries: [1, 2] }), '[]']) {
      await writeFile(stateFile, content);
      warnings.length = 0;
      const verifications = new BackupVerifications({ log });
      expect(await verifications.lookup(dir, file)).toBeNull();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(stateFile);
      await verifications.record(dir, file, OK);
      expect(await new BackupVerifications().lookup(dir, file)).toEqual(OK);
    }
  });

  it('does not read a state file that is too large or not a regular file', async () => {
    const file = await backupFile('docsight_backup_2026-11-26_080000.tar.gz');
    const stateFile = path.join(dir, BACKUP_VERIFICATIONS_FILE);
    await writeFile(stateFile, ' '.repeat(MAX_FILE_BYTES + 1));
    expect(await new BackupVerifications({ log }).lookup(dir, file)).toBeNull();
    await rm(stateFile);
    await writeFile(path.join(dir, 'elsewhere.json'), '{}');
    await symlink(path.join(dir, 'elsewhere.json'), stateFile);
    expect(await new BackupVerifications({ log }).lookup(dir, file)).toBeNull();
    expect(warnings).toHaveLength(2);
  });

  it(`keeps at most ${MAX_KEPT} results, dropping the oldest`, async () => {
    const versions = Array.from({ length: MAX_KEPT + 5 }, (_, index) => ({
      fileName: `docsight_backup_2026-11-26_080000_${index}.tar.gz`,
      size: 100 + index,
      modified: '2026-11-26T09:00:00.000+01:00',
    }));
    // A file with more results than the bound (written by hand, oldest first): the newest are read.
    const stored = versions.slice(0, -1).map((version) => ({ ...version, mtimeMs: Date.parse(version.modified), ...OK }));
    const stateFile = path.join(dir, BACKUP_VERIFICATIONS_FILE);
    await writeFile(stateFile, JSON.stringify({ format: 'evidence-locker-verifications', version: 1, verifications: stored }));
    await new BackupVerifications().record(dir, versions.at(-1)!, OK);
    const written = JSON.parse(await readFile(stateFile, 'utf8')) as { verifications: unknown[] };
    expect(written.verifications).toHaveLength(MAX_KEPT);
    const restarted = new BackupVerifications();
    expect(await restarted.lookup(dir, versions[4]!)).toBeNull();
    expect(await restarted.lookup(dir, versions[5]!)).toEqual(OK);
    expect(await restarted.lookup(dir, versions.at(-1)!)).toEqual(OK);
  });

  it('forgets a deleted backup in the state file too', async () => {
    const file = await backupFile('docsight_backup_2026-11-26_080000.tar.gz');
    const verifications = new BackupVerifications();
    await verifications.record(dir, file, OK);
    await verifications.forget(dir, file.fileName);
    expect(await new BackupVerifications().lookup(dir, file)).toBeNull();
  });

  it('keeps results in memory when the directory cannot be written, and says so in the log', async () => {
    const file = { fileName: 'docsight_backup_2026-11-26_080000.tar.gz', size: 1, modified: '2026-11-26T09:00:00.000+01:00' };
    const missing = path.join(dir, 'not-there');
    const verifications = new BackupVerifications({ log });
    await verifications.record(missing, file, OK);
    expect(await verifications.lookup(missing, file)).toEqual(OK);
    expect(warnings.join('\n')).toContain('Could not save the backup verifications');
  });

  it('is never listed, pruned or swept as a backup or a leftover, and its interrupted write is swept', async () => {
    const file = await backupFile('docsight_backup_2026-11-26_080000.tar.gz');
    await new BackupVerifications().record(dir, file, OK);
    const leftover = `.evidence-locker-${BACKUP_VERIFICATIONS_FILE}.0123456789abcdef.tmp`;
    await writeFile(path.join(dir, leftover), '{');
    expect((await listBackups(dir)).map((entry) => entry.fileName)).toEqual([file.fileName]);
    expect((await pruneBackups(dir, 1)).deleted).toEqual([]);
    expect((await sweepWorkFiles(dir)).removed).toEqual([leftover]);
    expect(await readdir(dir)).toEqual(expect.arrayContaining([BACKUP_VERIFICATIONS_FILE, file.fileName]));
  });
});
