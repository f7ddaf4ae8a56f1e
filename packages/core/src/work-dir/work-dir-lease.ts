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
 * A lease of this host whose process is gone or ending (killed, or a zombie nobody has reaped
 * yet: process-state.ts) is stale: whoever looks removes it. A lease of another host (a directory
 * shared over the network) cannot be checked and counts as live. The check and the sweep that
 * follows are not atomic: two commands started within the same milliseconds can still both sweep;
 * leases guard against the common case, a command run while a server or another command is busy
 * in the same directory.
 */
import { unlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LEASE_PREFIX } from '../data-dir-layout.ts';
import { processState } from './process-state.ts';

/** `<LEASE_PREFIX><host>.<pid>.<start>`. */
const LEASE_PATTERN = new RegExp(`^${LEASE_PREFIX.replaceAll('.', '\\.')}([A-Za-z0-9-]+)\\.(\\d+)\\.(\\d+)$`);

/** Another process's live lease on a directory. */
export interface LeaseHolder {
  host: string;
  pid: number;
}

/** This host's name as it appears in lease names. */
function leaseHost(): string {
  return (
    os
      .hostname()
      .replace(/[^A-Za-z0-9-]/g, '-')
      .slice(0, 64) || 'host'
  );
}

let ownName: string | undefined;

/** The lease file name of this process. */
export function ownLeaseName(): string {
  if (ownName === undefined) {
    const own = processState(process.pid);
    ownName = `${LEASE_PREFIX}${leaseHost()}.${process.pid}.${own.kind === 'running' || own.kind === 'ending' ? own.start : 0}`;
  }
  return ownName;
}

/** Whether `name` is a lease file (of any process). */
export function isLeaseName(name: string): boolean {
  return LEASE_PATTERN.test(name);
}

/**
 * Whether the lease of `pid`, started at `start` (0: unknown), on `host` belongs to a process that
 * may still write work files: not gone, not a reused pid, not ending (process-state.ts).
 */
function isLive(host: string, pid: number, start: number): boolean {
  if (host !== leaseHost()) return true;
  const state = processState(pid);
  if (state.kind === 'gone' || state.kind === 'ending') return false;
  if (state.kind === 'unknown' || start === 0) return true;
  return state.start === start;
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
