/**
 * One backup at a time per process. A backup's compression already keeps every core busy, so two
 * at once (a scheduled backup and a fresh download, say) finish no sooner than one after the other,
 * while each holds its own SQLite worker, chunk buffers and compressors: under the load test the
 * server peaked at 232 MB with two running together. Later backups wait in arrival order (FIFO).
 */
import { LockerError } from '../../errors.ts';

interface Waiter {
  grant: () => void;
}

const queue: Waiter[] = [];
let busy = false;

function next(): void {
  const waiter = queue.shift();
  if (waiter) waiter.grant();
  else busy = false;
}

/**
 * Waits for this process's backup turn; `onWait` is called first when it has to wait. Resolves
 * with the function that ends the turn (call it exactly once). Aborting `signal` while waiting
 * rejects with CANCELLED and gives up the place in the queue.
 */
export async function takeBackupTurn(signal?: AbortSignal, onWait?: () => void): Promise<() => void> {
  if (signal?.aborted) throw new LockerError('CANCELLED', 'The backup was cancelled.');
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    next();
  };
  if (!busy) {
    busy = true;
    return release;
  }
  onWait?.();
  return new Promise((resolve, reject) => {
    const waiter: Waiter = {
      grant: () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      },
    };
    const onAbort = (): void => {
      const index = queue.indexOf(waiter);
      if (index >= 0) queue.splice(index, 1);
      reject(new LockerError('CANCELLED', 'The backup was cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    queue.push(waiter);
  });
}
