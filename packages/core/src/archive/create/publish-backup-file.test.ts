import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backupFileName } from '../format/backup-file-name.ts';
import { publishBackupFile } from './publish-backup-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-publish-'));
  dirs.push(dir);
  return dir;
}

const TIME = new Date(2026, 10, 26, 23, 59, 59);

describe('publishBackupFile', () => {
  it('moves the partial file to the backup name and removes the partial name', async () => {
    const dir = tempDir();
    const partial = path.join(dir, '.evidence-locker-partial-a.tar.gz');
    fs.writeFileSync(partial, 'archive');
    const name = await publishBackupFile(partial, dir, TIME);
    expect(name).toBe(backupFileName(TIME));
    expect(fs.readdirSync(dir)).toEqual([name]);
    expect(fs.readFileSync(path.join(dir, name), 'utf8')).toBe('archive');
  });

  it('keeps existing backups and rolls over to the next day when the last second of one is taken', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, backupFileName(TIME)), 'older');
    const partial = path.join(dir, '.evidence-locker-partial-b.tar.gz');
    fs.writeFileSync(partial, 'newer');
    const name = await publishBackupFile(partial, dir, TIME);
    expect(name).toBe('docsight_backup_2026-11-27_000000.tar.gz');
    expect(fs.readFileSync(path.join(dir, backupFileName(TIME)), 'utf8')).toBe('older');
    expect(fs.readFileSync(path.join(dir, name), 'utf8')).toBe('newer');
  });
});
