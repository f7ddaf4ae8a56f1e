/**
 * The guarantees a crash trial checks, each as a list of problems (empty = kept):
 * 1. the data dir is logically all old or all new (restore) / all old (backup), file by file;
 *    after a restore the archive's own session key is never live;
 * 2. the backup dir holds only complete archives: each validates (a sealed one opened with the
 *    trial's key; a sealed backup's archive must be sealed), each holds the old instance
 *    (its meta's row counts are the old databases'), the listing shows exactly them, and there is
 *    at most one (a pre-restore backup whenever the restore went through);
 * 3. after the next operation nothing a crashed run made is left: no `.evidence-locker-*` entry,
 *    no restore intent, no lease of a dead process (`.evidence-locker.lease.*`), no SQLite sidecar
 *    except those of the live databases.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DATA_FILES, DATABASE_FILES, validateArchiveFile, WORK_PREFIX, type ArchiveValidation, type OpenKey } from '@evidence-locker/core';
import type { DataDirFingerprint } from './fingerprint-data-dir.ts';
import { SESSION_FILES, type CrashArchive, type CrashFixtures } from './prepare-crash-fixtures.ts';
import type { TrialPlan } from './plan-crash-trials.ts';

export type DataDirState = 'old' | 'new' | 'mixed';

/** Judges the data dir's fingerprint against the old instance and the archive's instance. */
export function judgeDataDir(
  fixtures: CrashFixtures,
  plan: TrialPlan,
  now: DataDirFingerprint,
  { finished }: { finished: boolean },
): { state: DataDirState; problems: string[] } {
  const problems: string[] = [];
  const archive: CrashArchive | undefined = plan.archive ? fixtures.archives[plan.archive] : undefined;
  const asOld = DATA_FILES.filter((file) => now.files[file] === fixtures.old.files[file]);
  const asNew = archive ? DATA_FILES.filter((file) => SESSION_FILES.includes(file) || archive.accepted[file].has(now.files[file])) : [];
  const state: DataDirState = asOld.length === DATA_FILES.length ? 'old' : asNew.length === DATA_FILES.length ? 'new' : 'mixed';
  if (state === 'mixed') {
    const describe = DATA_FILES.map(
      (file) =>
        `${file}: ${asOld.includes(file) ? 'old' : ''}${asOld.includes(file) && asNew.includes(file) ? '/' : ''}${asNew.includes(file) ? 'new' : ''}${!asOld.includes(file) && !asNew.includes(file) ? `neither (${now.files[file]?.slice(0, 12) ?? 'absent'})` : ''}`,
    );
    problems.push(`the data dir is neither all old nor all new: ${describe.join(', ')}`);
  }
  if (plan.operation === 'create' && state !== 'old') {
    problems.push(`a killed backup changed the data dir (state ${state})`);
  }
  if (plan.operation === 'restore' && finished && state !== 'new') {
    problems.push(`the restore ran to its end but the data dir is ${state}`);
  }
  if (archive && state === 'new' && archive.sessionKey !== null && now.files['.session_key'] === archive.sessionKey) {
    // restoreDataDir publishes a fresh session key in the same commit as the archive's files; the
    // archive's key live after a kill would keep the archived instance's sessions valid.
    problems.push(`the archive's .session_key is live after the restore (sessions of the archived instance stay valid)`);
  }
  return { state, problems };
}

/** Entries the crashed run (or the next operation) left that should not be there. */
export async function findLeftovers(dir: string, { allowed = () => false }: { allowed?: (name: string) => boolean } = {}) {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const liveSidecar = (name: string) =>
    DATABASE_FILES.some((db) => /^-(wal|shm|journal)$/.test(name.slice(db.length)) && name.startsWith(db));
  return names.filter(
    (name) =>
      !allowed(name) &&
      (name.startsWith(WORK_PREFIX) || name.startsWith(LEASE_PREFIX) || (/-(wal|shm|journal)$/.test(name) && !liveSidecar(name))),
  );
}

/** Leases of live processes (packages/core/src/work-dir/work-dir-lease.ts): `<prefix><host>.<pid>.<start>`. */
export const LEASE_PREFIX = '.evidence-locker.lease.';

/** Whether `name` is the lease of process `pid`. */
export function isLeaseOf(name: string, pid: number | undefined): boolean {
  return pid !== undefined && name.startsWith(LEASE_PREFIX) && name.split('.').at(-2) === String(pid);
}

/** A backup listing entry as the CLI (`backup list --json`) and the server (`backups.list`) give it. */
export interface ListedBackup {
  fileName: string;
}

/** Judges the backup dir: complete archives of the old instance only, listed exactly. */
export async function judgeBackupDir(
  fixtures: CrashFixtures,
  plan: TrialPlan,
  backupDir: string,
  listed: ListedBackup[],
  { finished, state, key }: { finished: boolean; state: DataDirState; key?: OpenKey | undefined },
): Promise<{ archives: string[]; problems: string[] }> {
  const problems: string[] = [];
  const names = (await fs.readdir(backupDir)).sort();
  const archives = names.filter((name) => /^docsight_backup_.*\.tar\.gz(\.age)?$/.test(name));
  const others = names.filter((name) => !archives.includes(name) && !name.startsWith(WORK_PREFIX));
  if (others.length > 0) problems.push(`unexpected files in the backup dir: ${others.join(', ')}`);
  for (const name of names.filter((entry) => /\.tar\.gz(\.age)?$/.test(entry) && !archives.includes(entry))) {
    problems.push(`a partial archive is still in the backup dir: ${name}`);
  }
  for (const name of archives) {
    if (plan.sealed && plan.operation === 'create' && !name.endsWith('.age')) problems.push(`${name} of a sealed backup is not sealed`);
    let validation: ArchiveValidation;
    try {
      validation = await validateArchiveFile(path.join(backupDir, name), { seal: { key } });
    } catch (error) {
      problems.push(`${name} does not validate: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const { meta } = validation;
    if (!sameCounts(meta.tables, fixtures.old.databases['docsis_history.db']?.tables)) {
      problems.push(`${name} does not hold the old docsis_history.db: ${JSON.stringify(meta.tables)}`);
    }
    if (!sameCounts(meta.connection_monitor_tables, fixtures.old.databases['connection_monitor.db']?.tables)) {
      problems.push(`${name} does not hold the old connection_monitor.db`);
    }
    if (plan.operation === 'restore' && meta.trigger !== 'pre-restore') {
      problems.push(`${name} was made by ${meta.trigger ?? 'unknown'}, not as the pre-restore backup`);
    }
  }
  const listedNames = listed.map((entry) => entry.fileName).sort();
  if (JSON.stringify(listedNames) !== JSON.stringify(archives)) {
    problems.push(`the listing shows ${JSON.stringify(listedNames)}, the directory holds ${JSON.stringify(archives)}`);
  }
  if (archives.length > 1) problems.push(`${archives.length} archives after one killed ${plan.operation}`);
  if (plan.operation === 'create' && finished && archives.length !== 1) {
    problems.push('the backup ran to its end but no archive is there');
  }
  if (plan.operation === 'restore' && state === 'new' && archives.length !== 1) {
    problems.push('the restore went through without a pre-restore backup of the old instance');
  }
  return { archives, problems };
}

function sameCounts(counts: Record<string, number> | undefined, expected: Record<string, number> | undefined): boolean {
  const sorted = (value: Record<string, number> | undefined) =>
    JSON.stringify(Object.entries(value ?? {}).sort(([a], [b]) => a.localeCompare(b)));
  return sorted(counts) === sorted(expected);
}
