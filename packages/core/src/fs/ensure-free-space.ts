/**
 * The free-space preflight of every operation that writes: before a backup or a restore starts,
 * what it will write is added up per filesystem and compared with what that filesystem has free.
 *
 * Needs on directories of the same filesystem (same `st_dev`) are summed, so a backup directory
 * inside the data directory is not counted as if it had a disk of its own. A directory that does
 * not exist yet (a backup directory about to be created) counts on its nearest existing ancestor.
 * The check reads `statfs` (`f_bavail`: what an unprivileged writer may use), less what is reserved
 * on that filesystem for writes still arriving (space-reservations.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { LockerError, errnoCode } from '../errors.ts';
import { reservedBytes } from './space-reservations.ts';

/** Bytes an operation will write into `dir`. */
export interface SpaceNeed {
  dir: string;
  bytes: number;
}

/** What the space is for, in the refusal's words. */
export type SpacePurpose = 'backup' | 'restore' | 'upload' | 'test restore';

/** Free bytes of the filesystem holding `dir` (or its nearest existing ancestor). */
export async function freeBytes(dir: string): Promise<number> {
  const stats = await fs.promises.statfs(await nearestExisting(dir));
  return stats.bavail * stats.bsize;
}

/**
 * Throws DISK_FULL, naming the directory, how much is needed and how much is free, when the needs
 * on any one filesystem exceed its free space.
 */
export async function ensureFreeSpace(purpose: SpacePurpose, needs: SpaceNeed[]): Promise<void> {
  const byDevice = new Map<number, { dirs: string[]; bytes: number; probe: string }>();
  for (const need of needs) {
    if (need.bytes <= 0) continue;
    const probe = await nearestExisting(need.dir);
    const { dev } = await fs.promises.stat(probe);
    const entry = byDevice.get(dev) ?? { dirs: [], bytes: 0, probe };
    if (!entry.dirs.includes(need.dir)) entry.dirs.push(need.dir);
    entry.bytes += need.bytes;
    byDevice.set(dev, entry);
  }
  for (const [dev, { dirs, bytes, probe }] of byDevice) {
    const available = Math.max(0, (await freeBytes(probe)) - reservedBytes(dev));
    if (available >= bytes) continue;
    const where = dirs.join(' and ');
    throw new LockerError(
      'DISK_FULL',
      `Not enough free space for the ${purpose} in ${where}: it needs about ${formatMegabytes(bytes, 'up')}, ` +
        `${formatMegabytes(available, 'down')} ${dirs.length > 1 ? 'are free on that disk' : 'are free'}. ` +
        'Free up space there (or choose a directory on a bigger disk) and try again.',
      { details: { dirs, needed: bytes, available } },
    );
  }
}

/** `1,234 MB`, rounded the way that never understates a need or overstates what is free. */
export function formatMegabytes(bytes: number, round: 'up' | 'down'): string {
  const megabytes = round === 'up' ? Math.ceil(bytes / 1e6) : Math.floor(bytes / 1e6);
  return `${megabytes.toLocaleString('en-US')} MB`;
}

/** `dir`, or its nearest ancestor that exists. */
export async function nearestExisting(dir: string): Promise<string> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      await fs.promises.stat(current);
      return current;
    } catch (error) {
      const parent = path.dirname(current);
      if (errnoCode(error) !== 'ENOENT' || parent === current) throw error;
      current = parent;
    }
  }
}
