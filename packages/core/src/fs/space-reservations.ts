/**
 * Space promised to writes that are still arriving (uploads, staged members), per filesystem, so
 * that concurrent writers cannot overcommit a disk: each one's free-space check sees what the
 * others will still write. Four uploads checked one after another against the same free space used
 * to pass together and fill the disk.
 *
 * A reservation holds what its writer may still write. It shrinks as bytes are written (they are
 * then counted by the filesystem itself) and is released when the writer ends, however it ends.
 * Checking and reserving is one step: reservations are made one at a time (a promise chain), so
 * two writers never both see the same free bytes.
 */
import fs from 'node:fs';
import { ensureFreeSpace, nearestExisting, type SpacePurpose } from './ensure-free-space.ts';

export class SpaceReservation {
  #bytes: number;
  #released = false;

  constructor(
    readonly dev: number,
    bytes: number,
  ) {
    this.#bytes = bytes;
  }

  /** What the writer may still write. */
  get bytes(): number {
    return this.#released ? 0 : this.#bytes;
  }

  /** `written` bytes reached the disk: the filesystem counts them now, the reservation no longer. */
  consume(written: number): void {
    this.#bytes = Math.max(0, this.#bytes - written);
  }

  /**
   * Promises `bytes` more (a writer whose size was not known up front, growing step by step), after
   * the same check as {@link reserveSpace}; DISK_FULL when they do not fit.
   */
  extend(purpose: SpacePurpose, dir: string, bytes: number): Promise<void> {
    return inTurn(async () => {
      await ensureFreeSpace(purpose, [{ dir, bytes }]);
      if (!this.#released) this.#bytes += bytes;
    });
  }

  /** The writer ended: nothing more is promised. Safe to call more than once. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    reservations.get(this.dev)?.delete(this);
  }
}

const reservations = new Map<number, Set<SpaceReservation>>();
let turn: Promise<unknown> = Promise.resolve();

/** Bytes promised to writers on the filesystem `dev` (st_dev) that have not reached it yet. */
export function reservedBytes(dev: number): number {
  let total = 0;
  for (const reservation of reservations.get(dev) ?? []) total += reservation.bytes;
  return total;
}

/**
 * Checks that `bytes` (plus `margin`, which is checked but not held) fit into `dir`'s filesystem
 * beside every outstanding reservation, and reserves `bytes` there; DISK_FULL otherwise.
 */
export function reserveSpace(purpose: SpacePurpose, dir: string, bytes: number, margin = 0): Promise<SpaceReservation> {
  return inTurn(async () => {
    const { dev } = await fs.promises.stat(await nearestExisting(dir));
    await ensureFreeSpace(purpose, [{ dir, bytes: bytes + margin }]);
    const reservation = new SpaceReservation(dev, bytes);
    const onDevice = reservations.get(dev) ?? new Set();
    onDevice.add(reservation);
    reservations.set(dev, onDevice);
    return reservation;
  });
}

/** Runs `step` after every check and reservation before it (one at a time). */
function inTurn<T>(step: () => Promise<T>): Promise<T> {
  const next = turn.then(step);
  turn = next.catch(() => undefined);
  return next;
}
