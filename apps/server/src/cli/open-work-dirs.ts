/**
 * What every CLI command does first with the data and backup directories it opens, as the server
 * does at start: finish a restore a crash interrupted while publishing (data dir), and remove the
 * work files a crashed run left behind (core's sweepWorkFiles, both dirs). A directory another live
 * Evidence Locker process works in (work-dir-lease.ts) is left alone, since its work files are in
 * use. Commands that write work files themselves then hold a lease until they end.
 *
 * Notes go to stderr, so stdout stays one JSON document with `--json`.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, isLockerError, recoverInterruptedRestore, sweepWorkFiles } from '@evidence-locker/core';
import { holdLeases, otherLeaseHolders } from '../instance/work-dir-lease.ts';

/** The directories a command opens. */
export interface WorkDirs {
  dataDir?: string | undefined;
  backupDir?: string | undefined;
}

/** Gives back the leases taken by {@link openWorkDirs}. */
export type ReleaseWorkDirs = () => Promise<void>;

const note = (text: string) => process.stderr.write(`note: ${text}\n`);

async function isDirectory(dir: string): Promise<boolean> {
  const stats = await stat(dir).catch(() => undefined);
  return stats?.isDirectory() ?? false;
}

/** A read-only or foreign-owned directory cannot be cleaned up, but can still be read. */
function isPermissionError(error: unknown): boolean {
  const code = isLockerError(error) ? errnoCode(error.cause) : errnoCode(error);
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}

/**
 * Recovers and sweeps `dirs` (see the file comment); with `hold`, then takes this process's lease
 * on them. Missing directories are skipped. An interrupted restore whose intent cannot be read
 * fails the command (the data dir needs the user's attention).
 */
export async function openWorkDirs(dirs: WorkDirs, { hold = false }: { hold?: boolean } = {}): Promise<ReleaseWorkDirs> {
  const dataDir = dirs.dataDir === undefined ? undefined : path.resolve(dirs.dataDir);
  const backupDir = dirs.backupDir === undefined ? undefined : path.resolve(dirs.backupDir);
  const opened: string[] = [];
  for (const dir of new Set([dataDir, backupDir])) {
    if (dir === undefined || !(await isDirectory(dir))) continue;
    opened.push(dir);
    const holders = await otherLeaseHolders(dir);
    if (holders.length > 0) {
      const who = holders.map((holder) => `pid ${holder.pid} on ${holder.host}`).join(', ');
      note(`${dir} is in use by another Evidence Locker process (${who}); its work files are left alone.`);
      continue;
    }
    try {
      if (dir === dataDir) {
        const recovery = await recoverInterruptedRestore(dir);
        if (recovery.rolledForward) note(`finished a restore into ${dir} that was interrupted while publishing.`);
      }
      const swept = await sweepWorkFiles(dir);
      if (swept.removed.length > 0) note(`removed what an interrupted run left in ${dir}: ${swept.removed.join(', ')}`);
      for (const failure of swept.failed) note(`could not remove ${failure.name} from ${dir}: ${failure.message}`);
    } catch (error) {
      if (!isPermissionError(error)) throw error;
      note(`cannot clean up ${dir} (${error instanceof Error ? error.message : String(error)}).`);
    }
  }
  return hold ? holdLeases(opened) : async () => undefined;
}
