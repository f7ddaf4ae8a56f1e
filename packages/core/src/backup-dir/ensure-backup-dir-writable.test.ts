import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { injectFsFault } from '@evidence-locker/core/testing/inject-fs-fault';
import { ensureBackupDirWritable, PROBE_PREFIX } from './ensure-backup-dir-writable.ts';

// The tests run as root, who can write anywhere, on a disk that is neither read-only nor full, so
// the write's failures are injected.
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
  it('accepts a writable directory and leaves no test file behind', async () => {
    const opened: string[] = [];
    injectFsFault('open', 'ENOTUSED', (target) => {
      opened.push(target);
      return false;
    });
    await expect(ensureBackupDirWritable(root)).resolves.toBeUndefined();
    // It really wrote: a uniquely named test file in the directory itself.
    expect(opened).toHaveLength(1);
    expect(path.dirname(opened[0]!)).toBe(root);
    expect(path.basename(opened[0]!)).toMatch(new RegExp(`^${PROBE_PREFIX.replaceAll('.', '\\.')}[0-9a-f]{16}$`));
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it('says a missing directory does not exist, and does not create it', async () => {
    const missing = path.join(root, 'backups');
    await expect(ensureBackupDirWritable(missing)).rejects.toMatchObject({
      code: 'DIRECTORY_NOT_FOUND',
      message: `${missing} does not exist. Create it, or if it is a disk or a share, check that it is mounted.`,
      details: { path: missing },
    });
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('says when the path is a file, and when a file is in the way above it', async () => {
    const file = path.join(root, 'backups');
    fs.writeFileSync(file, '');
    await expect(ensureBackupDirWritable(file)).rejects.toMatchObject({
      code: 'NOT_A_DIRECTORY',
      message: `${file} is a file, not a directory.`,
    });
    await expect(ensureBackupDirWritable(path.join(file, 'below'))).rejects.toMatchObject({ code: 'NOT_A_DIRECTORY' });
  });

  it('names a read-only file system as such, without chmod advice', async () => {
    injectFsFault('open', 'EROFS');
    const error = await ensureBackupDirWritable(root).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'READ_ONLY_FILE_SYSTEM', details: { path: root } });
    expect((error as Error).message).toContain(`${root} is on a read-only file system`);
    expect((error as Error).message).not.toContain('chmod 700');
  });

  it.each(['EACCES', 'EPERM'])('gives the uid and chown + chmod for a refused permission (%s)', async (code) => {
    injectFsFault('open', code);
    await expect(ensureBackupDirWritable(root)).rejects.toMatchObject({
      code: 'WRITE_PERMISSION_DENIED',
      message: `Evidence Locker runs as uid ${uid} and may not write to ${root}. Give it the directory (chown ${uid} ${root} && chmod 700 ${root}) or choose another directory.`,
      details: { path: root, uid, command: `chown ${uid} ${root} && chmod 700 ${root}` },
    });
  });

  it.each(['ENOSPC', 'EDQUOT'])('says the disk is full when not even the test file fits (%s)', async (code) => {
    injectFsFault('open', code);
    await expect(ensureBackupDirWritable(root)).rejects.toMatchObject({
      code: 'DISK_FULL',
      message: `The disk holding ${root} is full: not even a small test file fits there.`,
    });
  });

  it('removes the test file when reading it back fails, and says what failed', async () => {
    injectFsFault('readFile', 'EIO');
    await expect(ensureBackupDirWritable(root)).rejects.toMatchObject({
      code: 'BACKUP_DIR_UNUSABLE',
      message: `${root} cannot be written (EIO).`,
    });
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it('quotes a path with spaces in the suggested command', async () => {
    const spaced = path.join(root, "my backups's");
    fs.mkdirSync(spaced);
    injectFsFault('open', 'EACCES');
    await expect(ensureBackupDirWritable(spaced)).rejects.toMatchObject({
      details: { command: `chown ${uid} '${root}/my backups'\\''s' && chmod 700 '${root}/my backups'\\''s'` },
    });
  });
});
