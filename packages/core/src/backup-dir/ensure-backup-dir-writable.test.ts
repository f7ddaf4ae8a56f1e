import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { injectFsFault } from '@evidence-locker/core/testing/inject-fs-fault';
import { ensureBackupDirWritable } from './ensure-backup-dir-writable.ts';

// The tests may run as root, who can write anywhere, so a refused access() is injected.
vi.mock('node:fs/promises', async (importOriginal) =>
  (await import('@evidence-locker/core/testing/inject-fs-fault')).fsPromisesWithFaults(importOriginal),
);

let root: string;
const uid = process.getuid!();
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-backup-dir-'));
});
afterEach(() => {
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
    injectFsFault('access', 'EACCES');
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
