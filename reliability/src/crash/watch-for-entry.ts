/**
 * Waits for a directory entry to appear (inotify through fs.watch), to kill a process right after
 * it reached a point of interest: the restore intent written (publish starts), the partial archive
 * created (the write phase starts).
 */
import fs from 'node:fs';

/** A pending wait; `close()` stops watching. */
export interface EntryWatch {
  /** Resolves with performance.now() of the first sighting of a matching entry. */
  seen: Promise<number>;
  close(): void;
}

/** Watches `dir` for an entry whose name satisfies `matches` (entries already there count at once). */
export function watchForEntry(dir: string, matches: (name: string) => boolean): EntryWatch {
  let resolveSeen: (at: number) => void = () => undefined;
  const seen = new Promise<number>((resolve) => {
    resolveSeen = resolve;
  });
  let done = false;
  const found = () => {
    if (done) return;
    done = true;
    resolveSeen(performance.now());
    watcher.close();
  };
  const watcher = fs.watch(dir, (_event, name) => {
    // Any event for the name counts: the entry may already be gone again when we could look.
    if (name !== null && matches(name.toString())) found();
  });
  watcher.on('error', () => undefined);
  if (fs.readdirSync(dir).some(matches)) found();
  return {
    seen,
    close: () => {
      done = true;
      watcher.close();
    },
  };
}
