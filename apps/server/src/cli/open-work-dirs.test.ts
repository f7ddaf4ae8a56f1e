import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openWorkDirs } from './open-work-dirs.ts';
import { ownLeaseName } from '../instance/work-dir-lease.ts';
import { startUnreapedProcess } from '../test-support/unreaped-process.ts';

let root: string;
let dataDir: string;
let backupDir: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-open-dirs-'));
  dataDir = path.join(root, 'data');
  backupDir = path.join(root, 'backups');
  fs.mkdirSync(dataDir);
  fs.mkdirSync(backupDir);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(root, { recursive: true, force: true });
});

/** What a backup killed while writing leaves: a work dir in the data dir, a partial archive. */
function leaveKilledBackup() {
  fs.mkdirSync(path.join(dataDir, '.evidence-locker-work-abc123'));
  fs.writeFileSync(path.join(dataDir, '.evidence-locker-work-abc123', 'body.gz'), 'x');
  fs.writeFileSync(path.join(backupDir, '.evidence-locker-partial-0123456789abcdef.tar.gz'), 'partial');
}

describe('openWorkDirs', () => {
  it('removes what a killed backup left in the data and backup directories', async () => {
    leaveKilledBackup();
    fs.writeFileSync(path.join(dataDir, 'config.json'), '{}');
    await openWorkDirs({ dataDir, backupDir });
    expect(fs.readdirSync(dataDir)).toEqual(['config.json']);
    expect(fs.readdirSync(backupDir)).toEqual([]);
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
    await openWorkDirs({ dataDir });
    expect(fs.readdirSync(dataDir)).toEqual(['config.json']);
    expect(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')).toBe('{"new":true}');
  });

  it('leaves the work files alone while another live Evidence Locker process holds the directory', async () => {
    leaveKilledBackup();
    const server = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const host = ownLeaseName().split('.')[3];
      const lease = `.evidence-locker.lease.${host}.${server.pid}.0`;
      fs.writeFileSync(path.join(dataDir, lease), '');
      await openWorkDirs({ dataDir, backupDir });
      expect(fs.readdirSync(dataDir).sort()).toEqual(['.evidence-locker-work-abc123', lease]);
      // The backup dir has no lease: it is cleaned up.
      expect(fs.readdirSync(backupDir)).toEqual([]);
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
      await openWorkDirs({ dataDir });
      await openWorkDirs({ backupDir });
      expect(fs.readdirSync(dataDir)).toEqual([]);
      expect(fs.readdirSync(backupDir)).toEqual([]);
    } finally {
      killed.release();
    }
  });

  it('skips directories that do not exist', async () => {
    const release = await openWorkDirs({ dataDir: path.join(root, 'missing'), backupDir: path.join(root, 'also-missing') }, { hold: true });
    await release();
    expect(fs.existsSync(path.join(root, 'missing'))).toBe(false);
  });
});
