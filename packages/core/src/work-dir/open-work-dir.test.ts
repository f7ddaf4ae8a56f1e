import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startUnreapedProcess } from '@evidence-locker/core/testing/unreaped-process';
import { openWorkDir } from './open-work-dir.ts';
import { ownLeaseName } from './work-dir-lease.ts';

let root: string;
let dataDir: string;
let backupDir: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-open-dirs-'));
  dataDir = path.join(root, 'data');
  backupDir = path.join(root, 'backups');
  fs.mkdirSync(dataDir);
  fs.mkdirSync(backupDir);
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** What a backup killed while writing leaves: a work dir in the data dir, a partial archive. */
function leaveKilledBackup() {
  fs.mkdirSync(path.join(dataDir, '.evidence-locker-work-abc123'));
  fs.writeFileSync(path.join(dataDir, '.evidence-locker-work-abc123', 'body.gz'), 'x');
  fs.writeFileSync(path.join(backupDir, '.evidence-locker-partial-0123456789abcdef.tar.gz'), 'partial');
}

/** Opens the data dir and the backup dir, as a command that uses both does. */
function openBoth() {
  return Promise.all([openWorkDir(dataDir, { dataDir: true }), openWorkDir(backupDir)]);
}

describe('openWorkDir', () => {
  it('removes what a killed backup left in the data and backup directories', async () => {
    leaveKilledBackup();
    fs.writeFileSync(path.join(dataDir, 'config.json'), '{}');
    const reports = await openBoth();
    expect(fs.readdirSync(dataDir)).toEqual(['config.json']);
    expect(fs.readdirSync(backupDir)).toEqual([]);
    expect(reports).toEqual([
      { dir: dataDir, state: 'opened', restoreFinished: false, removed: ['.evidence-locker-work-abc123'], failed: [] },
      {
        dir: backupDir,
        state: 'opened',
        restoreFinished: false,
        removed: ['.evidence-locker-partial-0123456789abcdef.tar.gz'],
        failed: [],
      },
    ]);
  });

  it('finishes a restore that a crash interrupted while publishing, before anything reads the data dir', async () => {
    fs.writeFileSync(path.join(dataDir, 'config.json'), '{"old":true}');
    fs.writeFileSync(path.join(dataDir, '.auth_state'), 'old');
    const staged = '.evidence-locker-restore-config.json.a1b2c3d4e5f6.tmp';
    fs.writeFileSync(path.join(dataDir, staged), '{"new":true}');
    fs.writeFileSync(
      path.join(dataDir, '.evidence-locker-restore-intent.json'),
      JSON.stringify({ version: 1, renames: [{ from: staged, to: 'config.json' }], removals: ['.auth_state'] }),
    );
    const report = await openWorkDir(dataDir, { dataDir: true });
    expect(fs.readdirSync(dataDir)).toEqual(['config.json']);
    expect(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')).toBe('{"new":true}');
    expect(report).toMatchObject({ state: 'opened', restoreFinished: true });
  });

  it('leaves the work files alone while another live Evidence Locker process holds the directory', async () => {
    leaveKilledBackup();
    const server = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const host = ownLeaseName().split('.')[3]!;
      const lease = `.evidence-locker.lease.${host}.${server.pid}.0`;
      fs.writeFileSync(path.join(dataDir, lease), '');
      const [dataReport] = await openBoth();
      expect(fs.readdirSync(dataDir).sort()).toEqual(['.evidence-locker-work-abc123', lease]);
      expect(dataReport).toEqual({ dir: dataDir, state: 'in-use', holders: [{ host, pid: server.pid }] });
      // The backup dir has no lease: it is cleaned up.
      expect(fs.readdirSync(backupDir)).toEqual([]);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('removes the lease a killed command left, and then its work files', async () => {
    leaveKilledBackup();
    const host = ownLeaseName().split('.')[3];
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    fs.writeFileSync(path.join(backupDir, `.evidence-locker.lease.${host}.${gone.pid}.0`), '');
    expect(await openWorkDir(backupDir)).toMatchObject({ state: 'opened' });
    expect(fs.readdirSync(backupDir)).toEqual([]);
  });

  it('after a backup killed with Ctrl-C, the next command leaves no work files, even before the killed process is reaped', async () => {
    // Killed together with its parent (`pnpm`, a shell, a container's init), the CLI is handed to
    // PID 1 and stays a zombie until PID 1 reaps it: its lease must not count as live meanwhile.
    leaveKilledBackup();
    const killed = await startUnreapedProcess();
    try {
      const host = ownLeaseName().split('.')[3];
      const lease = `.evidence-locker.lease.${host}.${killed.pid}.${killed.start}`;
      fs.writeFileSync(path.join(dataDir, lease), '');
      fs.writeFileSync(path.join(backupDir, lease), '');
      await openWorkDir(dataDir, { dataDir: true });
      await openWorkDir(backupDir);
      expect(fs.readdirSync(dataDir)).toEqual([]);
      expect(fs.readdirSync(backupDir)).toEqual([]);
    } finally {
      killed.release();
    }
  });

  it('skips directories that do not exist, and files that are no directory', async () => {
    const missing = path.join(root, 'missing');
    expect(await openWorkDir(missing, { dataDir: true })).toEqual({ dir: missing, state: 'missing' });
    expect(fs.existsSync(missing)).toBe(false);
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(await openWorkDir(file)).toEqual({ dir: file, state: 'missing' });
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });

  it('throws when an interrupted restore cannot be finished (the data dir needs attention)', async () => {
    fs.writeFileSync(path.join(dataDir, '.evidence-locker-restore-intent.json'), 'not json');
    await expect(openWorkDir(dataDir, { dataDir: true })).rejects.toMatchObject({ code: 'DATA_DIR_UNUSABLE' });
    expect(fs.readdirSync(dataDir)).toEqual(['.evidence-locker-restore-intent.json']);
  });
});
