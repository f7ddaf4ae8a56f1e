import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupFileName } from '../archive/format/backup-file-name.ts';
import { publishUploadedBackup, uploadedBackupTime } from './publish-uploaded-backup.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

async function backupDirWith(...names: string[]): Promise<{ dir: string; temp: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'uploaded-backup-'));
  dirs.push(dir);
  for (const name of names) await fs.writeFile(path.join(dir, name), 'existing');
  const temp = path.join(dir, '.evidence-locker-backup-upload-x.tar.gz');
  await fs.writeFile(temp, 'uploaded');
  return { dir, temp };
}

describe('uploadedBackupTime', () => {
  const now = new Date(2030, 0, 2, 3, 4, 5);

  it("takes the moment a backup file name stands for, then the archive's date, then now", () => {
    expect(uploadedBackupTime('docsight_backup_2026-11-26_080713.tar.gz', '2020-01-01T00:00:00Z', now)).toEqual(
      new Date(2026, 10, 26, 8, 7, 13),
    );
    expect(uploadedBackupTime('my backup.tar.gz', '2026-11-26T07:07:13+00:00', now)).toEqual(new Date('2026-11-26T07:07:13Z'));
    expect(uploadedBackupTime(undefined, 'not a date', now)).toEqual(now);
    expect(uploadedBackupTime('docsight_backup_2026-13-40_999999.tar.gz', undefined, now)).toEqual(now);
  });
});

describe('publishUploadedBackup', () => {
  it('keeps the name of an uploaded backup file when it is free', async () => {
    const { dir, temp } = await backupDirWith();
    const name = await publishUploadedBackup(temp, dir, { requestedName: 'docsight_backup_2026-11-26_080713.tar.gz' });
    expect(name).toBe('docsight_backup_2026-11-26_080713.tar.gz');
    expect(await fs.readFile(path.join(dir, name), 'utf8')).toBe('uploaded');
    await expect(fs.stat(temp)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never replaces a backup of the same name: it takes the next free second', async () => {
    const { dir, temp } = await backupDirWith('docsight_backup_2026-11-26_080713.tar.gz', 'docsight_backup_2026-11-26_080714.tar.gz');
    const name = await publishUploadedBackup(temp, dir, { requestedName: 'docsight_backup_2026-11-26_080713.tar.gz' });
    expect(name).toBe('docsight_backup_2026-11-26_080715.tar.gz');
    expect(await fs.readFile(path.join(dir, 'docsight_backup_2026-11-26_080713.tar.gz'), 'utf8')).toBe('existing');
  });

  it("names a file with another name after the archive's date", async () => {
    const { dir, temp } = await backupDirWith();
    const name = await publishUploadedBackup(temp, dir, { requestedName: 'backup (1).tar.gz', metaTimestamp: '2026-11-26T07:07:13+00:00' });
    expect(name).toBe(backupFileName(new Date('2026-11-26T07:07:13Z')));
  });
});
