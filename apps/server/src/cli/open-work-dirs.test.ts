import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ownLeaseName } from '@evidence-locker/core';
import { openWorkDirs } from './open-work-dirs.ts';

// What openWorkDir does in each directory is core's and tested there (work-dir/open-work-dir.test.ts);
// here: the notes the CLI prints about it, and the lease a command holds while it works.
let root: string;
let dataDir: string;
let backupDir: string;
let stderr: string[];
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-open-dirs-'));
  dataDir = path.join(root, 'data');
  backupDir = path.join(root, 'backups');
  fs.mkdirSync(dataDir);
  fs.mkdirSync(backupDir);
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('openWorkDirs', () => {
  it('says on stderr what it finished and removed', async () => {
    fs.mkdirSync(path.join(dataDir, '.evidence-locker-work-abc123'));
    fs.writeFileSync(path.join(backupDir, '.evidence-locker-partial-0123456789abcdef.tar.gz'), 'partial');
    const staged = '.evidence-locker-restore-config.json.a1b2c3d4e5f6.tmp';
    fs.writeFileSync(path.join(dataDir, staged), '{"new":true}');
    fs.writeFileSync(
      path.join(dataDir, '.evidence-locker-restore-intent.json'),
      JSON.stringify({ version: 1, renames: [{ from: staged, to: 'config.json' }], removals: [] }),
    );
    await openWorkDirs({ dataDir, backupDir });
    expect(stderr).toEqual([
      `note: finished a restore into ${dataDir} that was interrupted while publishing.\n`,
      `note: removed what an interrupted run left in ${dataDir}: .evidence-locker-work-abc123\n`,
      `note: removed what an interrupted run left in ${backupDir}: .evidence-locker-partial-0123456789abcdef.tar.gz\n`,
    ]);
  });

  it('says which process a directory is left alone for', async () => {
    const server = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const host = ownLeaseName().split('.')[3];
      fs.writeFileSync(path.join(dataDir, `.evidence-locker.lease.${host}.${server.pid}.0`), '');
      await openWorkDirs({ dataDir });
      expect(stderr).toEqual([
        `note: ${dataDir} is in use by another Evidence Locker process (pid ${server.pid} on ${host}); its work files are left alone.\n`,
      ]);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('holds a lease while the command works and removes the lease a killed command left', async () => {
    const host = ownLeaseName().split('.')[3];
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    fs.writeFileSync(path.join(backupDir, `.evidence-locker.lease.${host}.${gone.pid}.0`), '');
    const release = await openWorkDirs({ dataDir, backupDir }, { hold: true });
    expect(fs.readdirSync(dataDir)).toEqual([ownLeaseName()]);
    expect(fs.readdirSync(backupDir)).toEqual([ownLeaseName()]);
    await release();
    expect(fs.readdirSync(dataDir)).toEqual([]);
    expect(fs.readdirSync(backupDir)).toEqual([]);
  });

  it('skips directories that do not exist', async () => {
    const release = await openWorkDirs({ dataDir: path.join(root, 'missing'), backupDir: path.join(root, 'also-missing') }, { hold: true });
    await release();
    expect(fs.existsSync(path.join(root, 'missing'))).toBe(false);
    expect(stderr).toEqual([]);
  });
});
