/**
 * Leases: which live Evidence Locker processes work in a directory right now.
 *
 * A crashed run's work files (`.evidence-locker-*`) look exactly like a running one's, so a command
 * may only sweep a directory that no other live process works in. Each process that writes work
 * files into a data or backup directory (the server for its lifetime, `backup create`, `backup
 * restore`, `backup verify`, `seed` while they run) holds a lease there: an empty file
 * `.evidence-locker.lease.<host>.<pid>.<start>` (outside the swept `.evidence-locker-` namespace,
 * so a sweep never takes a live one). `<start>` is the process start time from /proc (0 where
 * there is none), so a reused pid does not keep a dead lease alive.
 *
 * A lease of this host whose process is gone is stale: whoever looks removes it. A lease of
 * another host (a directory shared over the network) cannot be checked and counts as live. The
 * check and the sweep that follows are not atomic: two commands started within the same
 * milliseconds can still both sweep; leases guard against the common case, a command run while a
 * server or another command is busy in the same directory.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { errnoCode } from '@evidence-locker/core';

const LEASE_PREFIX = '.evidence-locker.lease.';
const LEASE_PATTERN = /^\.evidence-locker\.lease\.([A-Za-z0-9-]+)\.(\d+)\.(\d+)$/;

/** Another process's live lease on a directory. */
export interface LeaseHolder {
  host: string;
  pid: number;
}

/** This host's name as it appears in lease names. */
function leaseHost(): string {
  return os.hostname().replace(/[^A-Za-z0-9-]/g, '-').slice(0, 64) || 'host';
}

/** Start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22); 0 when unknown. */
function processStart(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    // No /proc (not Linux): the start time is unknown, not the process gone.
    return errnoCode(error) === 'ENOENT' && pidAlive(pid) ? 0 : undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[19] ?? 0);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/** The lease file name of this process. */
export function ownLeaseName(): string {
  return `${LEASE_PREFIX}${leaseHost()}.${process.pid}.${processStart(process.pid) ?? 0}`;
}

/** Whether `name` is a lease file (of any process). */
export function isLeaseName(name: string): boolean {
  return LEASE_PATTERN.test(name);
}

function isLive(host: string, pid: number, start: number): boolean {
  if (host !== leaseHost()) return true;
  if (!pidAlive(pid)) return false;
  if (start === 0) return true;
  const actual = processStart(pid);
  return actual === undefined ? false : actual === 0 || actual === start;
}

/**
 * The live processes other than this one that hold a lease on `dir`; stale leases are removed on
 * the way. A missing or unreadable directory has none.
 */
export async function otherLeaseHolders(dir: string): Promise<LeaseHolder[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const own = ownLeaseName();
  const holders: LeaseHolder[] = [];
  for (const name of names) {
    const match = LEASE_PATTERN.exec(name);
    if (!match || name === own) continue;
    const [, host, pid, start] = match as unknown as [string, string, string, string];
    if (isLive(host, Number(pid), Number(start))) {
      holders.push({ host, pid: Number(pid) });
    } else {
      await fs.unlink(path.join(dir, name)).catch(() => undefined);
    }
  }
  return holders;
}

const held = new Set<string>();
let exitHookInstalled = false;

/**
 * Takes this process's lease on each existing directory of `dirs`; the returned function gives
 * them back. A lease that cannot be written (read-only directory) is skipped: nothing will be
 * written there either. If the process ends without giving them back, they are removed at exit;
 * after a crash, the next look removes them as stale.
 */
export async function holdLeases(dirs: readonly string[]): Promise<() => Promise<void>> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const file of held) {
        try {
          unlinkSync(file);
        } catch {
          // Already gone.
        }
      }
    });
  }
  const files: string[] = [];
  for (const dir of new Set(dirs.map((entry) => path.resolve(entry)))) {
    const file = path.join(dir, ownLeaseName());
    if (held.has(file)) continue;
    try {
      await fs.writeFile(file, '', { flag: 'w', mode: 0o600 });
    } catch {
      continue;
    }
    held.add(file);
    files.push(file);
  }
  return async () => {
    for (const file of files) {
      held.delete(file);
      await fs.unlink(file).catch(() => undefined);
    }
  };
}
