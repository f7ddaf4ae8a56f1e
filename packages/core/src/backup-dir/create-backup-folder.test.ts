import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { injectFsFault } from '@evidence-locker/core/testing/inject-fs-fault';
import { createBackupFolder, folderNameProblem } from './create-backup-folder.ts';

// As root every mkdir succeeds and no disk is read-only, so those failures are injected.
vi.mock('node:fs/promises', async (importOriginal) =>
  (await import('@evidence-locker/core/testing/inject-fs-fault')).fsPromisesWithFaults(importOriginal),
);

let base: string;
let root: string;
let dataDir: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'el-folder-')));
  root = join(base, 'storage');
  dataDir = join(root, 'data');
  mkdirSync(dataDir, { recursive: true });
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('folderNameProblem', () => {
  it('accepts a plain name, spaces and umlauts inside, up to 255 bytes', () => {
    expect(folderNameProblem('evidence')).toBeNull();
    expect(folderNameProblem('Sicherungen März 2026')).toBeNull();
    expect(folderNameProblem('a'.repeat(255))).toBeNull();
  });

  it.each([
    ['', 'it is empty'],
    ['   ', 'it is empty'],
    ['a/b', 'it contains "/"'],
    ['a\0b', 'it contains a NUL byte'],
    ['.', 'it starts with "." (hidden folders are not listed)'],
    ['..', 'it starts with "." (hidden folders are not listed)'],
    ['.hidden', 'it starts with "." (hidden folders are not listed)'],
    [' padded', 'it starts or ends with a space'],
    ['a'.repeat(256), 'it is longer than 255 bytes'],
    ['ä'.repeat(128), 'it is longer than 255 bytes'],
  ])('refuses %j: %s', (name, problem) => {
    expect(folderNameProblem(name)).toBe(problem);
  });
});

describe('createBackupFolder', () => {
  it('creates the folder (mode 0700) in a directory inside the roots and returns its path', async () => {
    const created = await createBackupFolder(root, 'nas', [root], { dataDir });
    expect(created).toBe(join(root, 'nas'));
    expect(statSync(created).isDirectory()).toBe(true);
    expect(statSync(created).mode & 0o777).toBe(0o700);
  });

  it('refuses an invalid name before touching the disk', async () => {
    await expect(createBackupFolder(root, '../escape', [root], { dataDir })).rejects.toMatchObject({
      code: 'FOLDER_NAME_INVALID',
      message: '"../escape" cannot be a folder name: it contains "/".',
      details: { name: '../escape' },
    });
    expect(existsSync(join(base, 'escape'))).toBe(false);
  });

  it('refuses a parent outside the roots, naming the roots', async () => {
    await expect(createBackupFolder(base, 'x', [root], { dataDir })).rejects.toMatchObject({
      code: 'PATH_NOT_ALLOWED',
      details: { roots: root },
    });
    expect(existsSync(join(base, 'x'))).toBe(false);
  });

  it('refuses the data directory and anything inside it', async () => {
    mkdirSync(join(dataDir, 'sub'));
    for (const parent of [dataDir, join(dataDir, 'sub')]) {
      await expect(createBackupFolder(parent, 'backups', [root], { dataDir })).rejects.toMatchObject({ code: 'BACKUP_PATH_IN_DATA_DIR' });
      expect(existsSync(join(parent, 'backups'))).toBe(false);
    }
  });

  it('says when the name is taken', async () => {
    mkdirSync(join(root, 'nas'));
    await expect(createBackupFolder(root, 'nas', [root], { dataDir })).rejects.toMatchObject({
      code: 'DIRECTORY_EXISTS',
      details: { path: join(root, 'nas'), name: 'nas' },
    });
  });

  it.each([
    ['EROFS', 'READ_ONLY_FILE_SYSTEM'],
    ['EACCES', 'WRITE_PERMISSION_DENIED'],
    ['ENOSPC', 'DISK_FULL'],
  ])('gives the real cause when mkdir fails with %s (%s)', async (errno, code) => {
    injectFsFault('mkdir', errno);
    await expect(createBackupFolder(root, 'nas', [root], { dataDir })).rejects.toMatchObject({ code, details: { path: root } });
  });
});
