/**
 * Reads a live database file while its snapshot is held (snapshot-database.ts holdDatabase).
 *
 * Closing any descriptor of a file drops every POSIX lock this process holds on it, the held
 * snapshot's read lock and those of SQLite's other connections included (copy-live-database.ts).
 * So a live file is read through one descriptor per file that is opened once and never closed
 * while the file is still linked: closing it later, at any moment, could void a pin another backup
 * holds. A descriptor is closed only once its file has no name left (replaced by a restore), when
 * no connection can be using that file any more. Raw descriptors are used, not FileHandles, which
 * close themselves when garbage-collected.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';

const read = promisify(fs.read);
const open = promisify(fs.open);
const fstat = promisify(fs.fstat);
const close = promisify(fs.close);

interface Kept {
  fd: number;
  dev: number;
  ino: number;
}

/** Descriptors kept open, per path; the last one is the file now at that path. */
const kept = new Map<string, Kept[]>();

/**
 * A reader for the held file at `path`, which must still be the file with `dev`/`ino` (the held
 * snapshot's). The header bytes 18/19 read as 1 (rollback journal), as a copy switched out of WAL
 * mode has them, so the archived file opens anywhere without creating `-wal`/`-shm` files.
 */
export async function heldFileReader(
  path: string,
  held: { dev: number; ino: number },
): Promise<(target: Buffer, offset: number, length: number, position: number) => Promise<number>> {
  const fd = await keptDescriptor(path, held);
  return async (target, offset, length, position) => {
    const { bytesRead } = await read(fd, target, offset, length, position);
    for (const header of JOURNAL_MODE_BYTES) {
      if (header >= position && header < position + bytesRead) target[offset + header - position] = ROLLBACK_MODE;
    }
    return bytesRead;
  };
}

/** The file format version numbers (write, read) at 18 and 19: 1 rollback journal, 2 WAL. */
const JOURNAL_MODE_BYTES = [18, 19] as const;
const ROLLBACK_MODE = 1;

async function keptDescriptor(path: string, held: { dev: number; ino: number }): Promise<number> {
  const list = kept.get(path) ?? [];
  kept.set(path, list);
  const same = list.find((entry) => entry.dev === held.dev && entry.ino === held.ino);
  if (same) return same.fd;
  const fd = await open(path, 'r');
  const stats = await fstat(fd);
  list.push({ fd, dev: stats.dev, ino: stats.ino });
  if (stats.dev !== held.dev || stats.ino !== held.ino) {
    throw new Error(`${path} was replaced while its snapshot was held`);
  }
  // Files replaced since (a restore renamed another over them) and no longer linked anywhere.
  for (const entry of [...list]) {
    if (entry.fd === fd) continue;
    const old = await fstat(entry.fd).catch(() => undefined);
    if (old && old.nlink > 0) continue;
    list.splice(list.indexOf(entry), 1);
    await close(entry.fd).catch(() => undefined);
  }
  return fd;
}
