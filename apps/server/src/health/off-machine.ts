/**
 * Is a location off this machine? The 3-2-1 picture counts a copy as off the machine only when a
 * failure of this machine (its disk, its power supply, a thief) would leave it:
 *
 * - a target is off the machine unless its host is this machine: `localhost` (or a `.localhost`
 *   name), a loopback address, this machine's host name, or one of its interfaces' addresses;
 *   an S3 target without an endpoint is AWS, always off the machine. Names are not resolved: a
 *   name that points back at this machine through DNS still counts as off it.
 * - the backup directory is off the machine when it is on a network filesystem (NFS, SMB/CIFS),
 *   as a share of a NAS mounted there is; FUSE mounts are not counted, as mergerfs and the like
 *   are local disks too.
 */
import fs from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import type { TargetAddress } from '@evidence-locker/core';
import { machineAddresses } from '../http/host-guard.ts';

/** statfs `f_type` of the network filesystems (linux/magic.h). */
const NETWORK_FILESYSTEMS: ReadonlySet<number> = new Set([
  0x6969, // NFS
  0x517b, // SMB
  0xff534d42, // CIFS
  0xfe534d42, // SMB2
]);

/** The host a target's address names (lower case, IPv6 without brackets), or null for AWS's S3. */
export function targetHost(address: TargetAddress): string | null {
  if (address.kind === 'sftp') return address.host.toLowerCase();
  const url = address.kind === 's3' ? address.endpoint : address.url;
  if (url === undefined) return null;
  const host = new URL(url).hostname.toLowerCase();
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/** What names this machine: its host name and its interfaces' addresses (default: read now). */
export interface MachineIdentity {
  hostName: string;
  addresses: readonly string[];
}

/** This machine's host name and addresses, read at the time of the call. */
export function thisMachine(): MachineIdentity {
  return { hostName: os.hostname(), addresses: machineAddresses() };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host);
  return false;
}

/** True unless `address` names this machine (see the file comment). */
export function isTargetOffMachine(address: TargetAddress, machine: MachineIdentity): boolean {
  const host = targetHost(address);
  if (host === null) return true;
  if (isLoopback(host)) return false;
  if (host === machine.hostName.toLowerCase() || host.split('.')[0] === machine.hostName.toLowerCase()) return false;
  return !machine.addresses.some((own) => own.toLowerCase() === host);
}

/** True when `dir` is on a network filesystem; false when it is not, or it cannot be told (no such directory). */
export async function isDirectoryOffMachine(dir: string): Promise<boolean> {
  try {
    const stats = await fs.promises.statfs(dir);
    return NETWORK_FILESYSTEMS.has(stats.type);
  } catch {
    return false;
  }
}
