/**
 * What every CLI command does first with the data and backup directories it opens, as the server
 * does at start: core's openWorkDir on each (leases, an interrupted restore finished, leftover
 * work files removed), with what it did printed as notes. Commands that write work files
 * themselves then hold a lease until they end.
 *
 * Notes go to stderr, so stdout stays one JSON document with `--json`.
 */
import path from 'node:path';
import { holdLeases, openWorkDir, type WorkDirReport } from '@evidence-locker/core';

/** The directories a command opens. */
export interface WorkDirs {
  dataDir?: string | undefined;
  backupDir?: string | undefined;
}

/** Gives back the leases taken by {@link openWorkDirs}. */
export type ReleaseWorkDirs = () => Promise<void>;

const note = (text: string) => process.stderr.write(`note: ${text}\n`);

/** Prints `report` as notes (nothing when there was nothing to do). */
function printReport(report: WorkDirReport): void {
  const { dir } = report;
  switch (report.state) {
    case 'missing':
    case 'unreachable':
      return;
    case 'in-use': {
      const who = report.holders.map((holder) => `pid ${holder.pid} on ${holder.host}`).join(', ');
      note(`${dir} is in use by another Evidence Locker process (${who}); its work files are left alone.`);
      return;
    }
    case 'opened':
    case 'read-only':
      if (report.restoreFinished) note(`finished a restore into ${dir} that was interrupted while publishing.`);
      if (report.state === 'read-only') {
        note(`cannot clean up ${dir} (${report.cause instanceof Error ? report.cause.message : String(report.cause)}).`);
        return;
      }
      if (report.removed.length > 0) note(`removed what an interrupted run left in ${dir}: ${report.removed.join(', ')}`);
      for (const failure of report.failed) note(`could not remove ${failure.name} from ${dir}: ${failure.message}`);
  }
}

/**
 * Opens `dirs` with core's openWorkDir and prints what it did; with `hold`, then takes this
 * process's lease on the directories that exist. Missing directories are skipped. An interrupted
 * restore whose intent cannot be read fails the command (the data dir needs the user's attention).
 */
export async function openWorkDirs(dirs: WorkDirs, { hold = false }: { hold?: boolean } = {}): Promise<ReleaseWorkDirs> {
  const dataDir = dirs.dataDir === undefined ? undefined : path.resolve(dirs.dataDir);
  const backupDir = dirs.backupDir === undefined ? undefined : path.resolve(dirs.backupDir);
  const opened: string[] = [];
  for (const dir of new Set([dataDir, backupDir])) {
    if (dir === undefined) continue;
    const report = await openWorkDir(dir, { dataDir: dir === dataDir });
    if (report.state !== 'missing' && report.state !== 'unreachable') opened.push(dir);
    printReport(report);
  }
  return hold ? holdLeases(opened) : async () => undefined;
}

/**
 * Runs `work` while this process holds its lease on `dirs` (opened as {@link openWorkDirs} does,
 * notes included); the leases are given back however the work ends.
 */
export async function withWorkDirsHeld<T>(dirs: WorkDirs, work: () => Promise<T>): Promise<T> {
  const release = await openWorkDirs(dirs, { hold: true });
  try {
    return await work();
  } finally {
    await release();
  }
}
