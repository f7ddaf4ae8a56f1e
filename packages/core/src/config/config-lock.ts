/**
 * The cross-process lock around a read-modify-write of `config.json`. The server and every CLI
 * command (`locker target add`, a restore that keeps its target, …) save the same file; each reads
 * it, changes it and writes it back, so without a lock a save made by another process between one
 * process's read and write is silently lost.
 *
 * proper-lockfile's lock: a directory made with mkdir (atomic) next to config.json, whose mtime the
 * holder touches every `staleMs / 2`. A holder that died (SIGKILL, power cut) stops touching it, and
 * after `staleMs` a waiter takes it over, so a crash never blocks the settings for good. A writer
 * waits at most `lockWaitMs` for a live holder, then fails with CONFIG_LOCKED naming the data
 * directory.
 *
 * The lock directory (`.evidence-locker.config-lock`) lies outside the work-file prefix, so the
 * start-up sweep never removes a lock a live process holds, and outside DATA_FILES, so no backup
 * (this engine's or DOCSight's, both take a fixed list of files) carries it and no restore touches it.
 *
 * Known limits, said here because they cannot be fixed at this layer:
 * - DOCSight writes config.json itself, without this (or any) lock: a DOCSight save and an Evidence
 *   Locker save at the same moment can still lose one of them. Only Evidence Locker's own processes
 *   exclude each other. The lock directory is a dot-entry DOCSight never looks at.
 * - proper-lockfile's stale takeover is stat-then-rmdir: when two waiters find the same dead
 *   holder's lock at the same moment, both can end up holding it (its issue #121). That needs a
 *   crash and two writers within milliseconds of each other; a normal contended save is exact.
 */
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { lock } from 'proper-lockfile';
import { CONFIG_FILE, CONFIG_LOCK_DIR } from '../data-dir-layout.ts';
import { LockerError, errnoCode, isDiskFullErrno } from '../errors.ts';

/** Options of the config lock (every config.json save takes them). */
export interface ConfigLockOptions {
  /** How long a save waits for another process's lock before CONFIG_LOCKED; default 20 s. */
  lockWaitMs?: number;
  /**
   * A lock whose holder has not touched it for this long is taken over (its holder died); default
   * 10 s (proper-lockfile's minimum is 2 s). Must be below `lockWaitMs` for a waiter to see it.
   */
  lockStaleMs?: number;
}

/** What the holder of the lock can ask it. */
export interface ConfigLease {
  /**
   * Throws CONFIG_LOCKED when the lock was lost while held (this process stalled for longer than
   * the stale time and another one took it over): call it right before writing.
   */
  assertHeld(): void;
}

const DEFAULT_WAIT_MS = 20_000;
const DEFAULT_STALE_MS = 10_000;
const FIRST_RETRY_MS = 10;
const MAX_RETRY_MS = 250;

/** Path of the lock directory of `dataDir`'s config.json. */
export function configLockPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), CONFIG_LOCK_DIR);
}

/**
 * Runs `work` while this process holds `dataDir`'s config lock. Waits for another holder at most
 * `lockWaitMs` (CONFIG_LOCKED after that); a data directory where the lock cannot be made fails as
 * the write would (PERMISSION_DENIED, DISK_FULL). Callers serialise within the process first: a
 * second lock of the same file by the same process would wait for itself (holdConfig refuses that).
 */
export async function withConfigLock<T>(
  dataDir: string,
  work: (lease: ConfigLease) => Promise<T>,
  options: ConfigLockOptions = {},
): Promise<T> {
  return withDataDirFileLock(dataDir, { file: CONFIG_FILE, lockDir: CONFIG_LOCK_DIR, what: 'settings (config.json)' }, work, options);
}

/** A file of a data directory that Evidence Locker's processes read, change and write back. */
export interface LockedFile {
  /** Its name in the data directory. */
  file: string;
  /** The lock directory's name in the data directory (outside WORK_PREFIX and DATA_FILES). */
  lockDir: string;
  /** What it is, for messages: "settings (config.json)". */
  what: string;
}

/**
 * The same lock for another file of the data directory that several processes read, change and
 * write back (the offsite targets' records): CONFIG_LOCKED after `lockWaitMs`, naming the file.
 */
export async function withDataDirFileLock<T>(
  dataDir: string,
  locked: LockedFile,
  work: (lease: ConfigLease) => Promise<T>,
  options: ConfigLockOptions = {},
): Promise<T> {
  const waitMs = options.lockWaitMs ?? DEFAULT_WAIT_MS;
  const staleMs = options.lockStaleMs ?? DEFAULT_STALE_MS;
  const lockPath = path.join(path.resolve(dataDir), locked.lockDir);
  const file = path.join(path.resolve(dataDir), locked.file);
  let lost: Error | null = null;
  const release = await acquire(file, lockPath, dataDir, locked.what, waitMs, staleMs, (error) => {
    lost = error;
  });
  const lease: ConfigLease = {
    assertHeld() {
      if (lost === null) return;
      throw new LockerError(
        'CONFIG_LOCKED',
        `The lock on the ${locked.what} of ${path.resolve(dataDir)} was lost while saving (this process was stalled for more than ${staleMs / 1000} s and another one took it over); nothing was saved. Try again.`,
        { cause: lost, details: { path: path.resolve(dataDir), lock: lockPath } },
      );
    },
  };
  try {
    return await work(lease);
  } finally {
    // A lock that was taken over is not ours to remove any more.
    if (lost === null) await release().catch(() => undefined);
  }
}

async function acquire(
  file: string,
  lockPath: string,
  dataDir: string,
  what: string,
  waitMs: number,
  staleMs: number,
  onCompromised: (error: Error) => void,
): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  let pause = FIRST_RETRY_MS;
  for (;;) {
    try {
      // realpath false: config.json need not exist yet (a fresh data directory).
      return await lock(file, { lockfilePath: lockPath, realpath: false, stale: staleMs, retries: 0, onCompromised });
    } catch (error) {
      if (errnoCode(error) !== 'ELOCKED') throw lockError(error, lockPath);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const absolute = path.resolve(dataDir);
      throw new LockerError(
        'CONFIG_LOCKED',
        `The ${what} of ${absolute} are being saved by another Evidence Locker process, which did not finish within ${Math.ceil(waitMs / 1000)} s; nothing was saved. Try again. A lock left by a process that died is taken over after ${Math.ceil(staleMs / 1000)} s by itself; if it persists and no Evidence Locker process (server or CLI) uses this data directory, remove ${lockPath}.`,
        { details: { path: absolute, lock: lockPath, waitedSeconds: Math.ceil(waitMs / 1000) } },
      );
    }
    await delay(Math.min(pause, left));
    pause = Math.min(pause * 2, MAX_RETRY_MS);
  }
}

function lockError(error: unknown, lockPath: string): unknown {
  const code = errnoCode(error);
  if (isDiskFullErrno(code)) {
    return new LockerError('DISK_FULL', `The disk is full; could not create ${lockPath}.`, { cause: error, details: { path: lockPath } });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new LockerError('PERMISSION_DENIED', `No permission to write ${lockPath}.`, { cause: error, details: { path: lockPath } });
  }
  return error;
}
