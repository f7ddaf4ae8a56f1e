/**
 * Opening a data or backup directory, as the server does at start and every CLI command does
 * first, in this order:
 * 1. leases (work-dir-lease.ts): a directory another live Evidence Locker process works in is left
 *    alone, since its work files, and a restore intent in it, are that process's and in use (stale
 *    leases of dead processes are removed on the way);
 * 2. a data directory only: a restore a crash interrupted while publishing is finished
 *    (recoverInterruptedRestore), before anything reads the directory;
 * 3. the work files a crashed run left behind are removed (sweep-work-files.ts). Recovery comes
 *    first: while a restore intent exists the sweep spares every staged file the intent may name,
 *    so sweeping after it removes everything a crash left, prepared uploads beside an interrupted
 *    restore included.
 * What happened is returned as a report; the server logs it and the CLI prints it.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { recoverInterruptedRestore } from '../archive/restore/recover-interrupted-restore.ts';
import { errnoCode, isLockerError } from '../errors.ts';
import { sweepWorkFiles, type SweepResult } from './sweep-work-files.ts';
import { otherLeaseHolders, type LeaseHolder } from './work-dir-lease.ts';

/** Options of {@link openWorkDir}. */
export interface OpenWorkDirOptions {
  /** The directory is a data directory: finish an interrupted restore there first. Default false. */
  dataDir?: boolean;
}

/** What {@link openWorkDir} found in a directory (`dir`, absolute) and did there. */
export type WorkDirReport =
  /** Nothing there, or no directory: nothing done. */
  | { dir: string; state: 'missing' }
  /** The directory could not be looked at (its parent is not searchable, a network share is gone). */
  | { dir: string; state: 'unreachable'; cause: unknown }
  /** Another live Evidence Locker process works there: nothing touched. */
  | { dir: string; state: 'in-use'; holders: LeaseHolder[] }
  /** Recovered (data dir) and swept: the names removed, and the leftovers that could not be. */
  | ({ dir: string; state: 'opened'; restoreFinished: boolean } & SweepResult)
  /**
   * Read-only or owned by someone else (EACCES, EPERM, EROFS): it cannot be cleaned up, but it
   * can still be read. `cause` is the error that stopped the clean-up.
   */
  | { dir: string; state: 'read-only'; restoreFinished: boolean; cause: unknown };

/** A read-only or foreign-owned directory cannot be cleaned up, but can still be read. */
function isPermissionError(error: unknown): boolean {
  const code = isLockerError(error) ? errnoCode(error.cause) : errnoCode(error);
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}

/**
 * Opens `dir` (see the file comment) and reports what it found and did. Errors other than
 * missing permissions throw, among them an interrupted restore whose intent cannot be read (the
 * data directory needs the user's attention).
 */
export async function openWorkDir(dir: string, options: OpenWorkDirOptions = {}): Promise<WorkDirReport> {
  const absolute = path.resolve(dir);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(absolute)).isDirectory();
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { dir: absolute, state: 'missing' };
    return { dir: absolute, state: 'unreachable', cause: error };
  }
  if (!isDirectory) return { dir: absolute, state: 'missing' };
  const holders = await otherLeaseHolders(absolute);
  if (holders.length > 0) return { dir: absolute, state: 'in-use', holders };
  let restoreFinished = false;
  try {
    if (options.dataDir) restoreFinished = (await recoverInterruptedRestore(absolute)).rolledForward;
    const swept = await sweepWorkFiles(absolute);
    return { dir: absolute, state: 'opened', restoreFinished, ...swept };
  } catch (error) {
    if (!isPermissionError(error)) throw error;
    return { dir: absolute, state: 'read-only', restoreFinished, cause: error };
  }
}
