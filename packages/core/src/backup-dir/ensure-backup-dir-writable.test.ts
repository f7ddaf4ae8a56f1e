import fs from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureBackupDirWritable } from './ensure-backup-dir-writable.ts';

// The tests may run as root, who can write anywhere, so a refused access() is injected.
const injected = vi.hoisted(() => ({ accessError: undefined as string | undefined }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  const access = (async (...args: Parameters<typeof actual.access>) => {
    if (injected.accessError !== undefined) {
      throw Object.assign(new Error(`${injected.accessError}: injected`), { code: injected.accessError });
    }
    return actual.access(...args);
  }) as typeof actual.access;
  return { ...actual, access };
});

let root: string;
const uid = process.getuid!();
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-backup-dir-'));
});
afterEach(() => {
  injected.accessError = undefined;
  fs.rmSync(root, { recursive: true, force: true });
});

describe('ensureBackupDirWritable', () => {
  it('accepts a writable directory', async () => {
    await expect(ensureBackupDirWritable(root)).resolves.toBeUndefined();
  });

  it('names the path, the uid and mkdir + chown for a missing directory, and does not create it', async () => {
    const missing = path.join(root, 'backups');
    await expect(ensureBackupDirWritable(missing)).rejects.toMatchObject({
      code: 'BACKUP_DIR_UNUSABLE',
      message: `Backup directory ${missing} does not exist. Evidence Locker runs as uid ${uid}; fix: mkdir -p ${missing} && chown ${uid} ${missing}`,
      details: { path: missing, uid },
    });
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('suggests chown and chmod for a directory it cannot write', async () => {
    injected.accessError = 'EACCES';
    await expect(ensureBackupDirWritable(root)).rejects.toMatchObject({
      code: 'BACKUP_DIR_UNUSABLE',
      message: `Backup directory ${root} is not writable. Evidence Locker runs as uid ${uid}; fix: chown ${uid} ${root} && chmod 700 ${root}`,
    });
  });

  it('says when the path is a file', async () => {
    const file = path.join(root, 'backups');
    fs.writeFileSync(file, '');
    await expect(ensureBackupDirWritable(file)).rejects.toMatchObject({
      message: expect.stringContaining(`Backup directory ${file} is a file, not a directory.`),
    });
  });

  it('quotes a path with spaces in the suggested command', async () => {
    const missing = path.join(root, "my backups's");
    await expect(ensureBackupDirWritable(missing)).rejects.toMatchObject({
      message: expect.stringContaining(`mkdir -p '${root}/my backups'\\''s' && chown ${uid}`),
    });
  });
});
