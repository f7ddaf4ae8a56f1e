import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdLeases, isLeaseName, otherLeaseHolders, ownLeaseName } from './work-dir-lease.ts';
import { startUnreapedProcess } from '@evidence-locker/core/testing/unreaped-process';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-lease-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A node process that stays up until killed. */
function startIdleProcess() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return child;
}

describe('work dir leases', () => {
  it('holds a lease outside the swept work-file namespace and gives it back', async () => {
    const release = await holdLeases([dir]);
    const names = fs.readdirSync(dir);
    expect(names).toEqual([ownLeaseName()]);
    expect(isLeaseName(names[0]!)).toBe(true);
    expect(names[0]!.startsWith('.evidence-locker-')).toBe(false);
    expect(await otherLeaseHolders(dir)).toEqual([]);
    await release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("counts a live process's lease and removes the lease of a process that is gone", async () => {
    const live = startIdleProcess();
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    try {
      const host = ownLeaseName().split('.')[3];
      fs.writeFileSync(path.join(dir, `.evidence-locker.lease.${host}.${live.pid}.0`), '');
      fs.writeFileSync(path.join(dir, `.evidence-locker.lease.${host}.${gone.pid}.0`), '');
      // The same live pid with another start time is a reused pid: stale (Linux, where /proc tells).
      const reused = `.evidence-locker.lease.${host}.${live.pid}.1`;
      fs.writeFileSync(path.join(dir, reused), '');
      const holders = await otherLeaseHolders(dir);
      expect(holders).toEqual([{ host, pid: live.pid }]);
      const left = fs.readdirSync(dir);
      expect(left).toContain(`.evidence-locker.lease.${host}.${live.pid}.0`);
      expect(left).not.toContain(`.evidence-locker.lease.${host}.${gone.pid}.0`);
      if (fs.existsSync('/proc/self/stat')) expect(left).not.toContain(reused);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('removes the lease of a killed process that nobody has reaped yet (a zombie)', async () => {
    const zombie = await startUnreapedProcess();
    try {
      const host = ownLeaseName().split('.')[3];
      const lease = `.evidence-locker.lease.${host}.${zombie.pid}.${zombie.start}`;
      fs.writeFileSync(path.join(dir, lease), '');
      expect(await otherLeaseHolders(dir)).toEqual([]);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      zombie.release();
    }
  });

  it("treats another host's lease as live: it cannot be checked from here", async () => {
    fs.writeFileSync(path.join(dir, '.evidence-locker.lease.other-host.1.1'), '');
    expect(await otherLeaseHolders(dir)).toEqual([{ host: 'other-host', pid: 1 }]);
  });
});
