/**
 * The concurrent-writer scenario, shared by reliability/test/concurrent-writer.test.ts (a small data
 * directory) and bench/concurrent-writer.bench.ts (the 1 GB one):
 *
 *   1. the DOCSight stand-in (docsight-writer.ts) starts writing into `dataDir`, several polls a
 *      second, in its own process;
 *   2. `backups` times in a row, `locker backup create --data-dir … --backup-dir …` (the built CLI, a
 *      new process each time, as a cron job would run it);
 *   3. the writer is stopped and reports what it committed and every error it met;
 *   4. each archive, in order: unpacked with core's reader (checksums), every database through
 *      `PRAGMA integrity_check` and `foreign_key_check`, rows counted and compared with the meta's
 *      `tables`, with the previous archive (no table may lose rows; the writer's tables must gain
 *      some) and with the writer's transactions (its events and samples come whole with their poll);
 *      optionally also `locker backup verify` on it;
 *   5. the live databases: integrity check, and exactly the rows the writer says it committed.
 * Every broken expectation becomes a line in `problems`; the caller decides what to do with them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { runCliJson } from '@evidence-locker/harness';
import { inspectArchive } from './archive-databases.ts';
import { checkDatabase, type DatabaseCheck } from './database-check.ts';
import { startWriter, type RunningWriter, type WriterBaseline, type WriterReport } from './writer-process.ts';

const DATABASES = ['docsis_history.db', 'connection_monitor.db'] as const;
/**
 * Tables the writer inserts into on every poll: every archive must hold more of them than the one
 * before. (Events come every few polls only; they are tied to their snapshots by checkArchive.)
 */
const GROWING: Record<string, string[]> = {
  'docsis_history.db': ['snapshots'],
  'connection_monitor.db': ['connection_samples'],
};
const META_TABLES: Record<string, 'tables' | 'connection_monitor_tables'> = {
  'docsis_history.db': 'tables',
  'connection_monitor.db': 'connection_monitor_tables',
};

/** Options of {@link runConcurrentWriter}. */
export interface ConcurrentWriterOptions {
  /** A data directory the run may write to (a copy, never the original). */
  dataDir: string;
  /** Where the backups go (created when missing). */
  backupDir: string;
  /** Scratch space for unpacking archives (created when missing). */
  scratchDir: string;
  /** Backups made one after another while the writer runs; default 20. */
  backups?: number;
  /** Writer polls per second; default 5. */
  pollsPerSecond?: number;
  /** Every n-th poll also writes an event; default 3. */
  eventEvery?: number;
  /** Writer keeps its connections open instead of one per transaction; default false. */
  persistentConnections?: boolean;
  /**
   * Also run `locker backup verify` on every n-th archive and the last; default 1 (every archive),
   * 0 for none. The harness's own unpacking checks every archive anyway.
   */
  cliVerifyEvery?: number;
  /** Delete each archive once it was checked (for 1 GB runs); default false. */
  deleteCheckedArchives?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** One backup of the run and what the checks found in it. */
export interface BackupRecord {
  index: number;
  fileName: string;
  /** Wall time of `locker backup create`, process start included. */
  seconds: number;
  /** The time createBackup itself reported. */
  createSeconds: number;
  size: number;
  databases: Record<string, DatabaseCheck>;
  /** `locker backup verify` passed; null when not run on this archive. */
  cliVerified: boolean | null;
  verifySeconds: number | null;
}

/** Everything the run saw. */
export interface ConcurrentWriterResult {
  baseline: WriterBaseline;
  writer: WriterReport;
  backups: BackupRecord[];
  live: Record<string, DatabaseCheck>;
  /** Seconds from the first backup's start to the last one's end. */
  backupSeconds: number;
  /** Every broken expectation, readable; empty when all held. */
  problems: string[];
}

interface CreateJson {
  fileName: string;
  path: string;
  size: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the scenario; the writer is stopped (or killed) whatever happens. */
export async function runConcurrentWriter(options: ConcurrentWriterOptions): Promise<ConcurrentWriterResult> {
  const log = options.log ?? (() => undefined);
  const count = options.backups ?? 20;
  const eventEvery = options.eventEvery ?? 3;
  await fs.mkdir(options.backupDir, { recursive: true });
  await fs.mkdir(options.scratchDir, { recursive: true });

  const made: Array<{ json: CreateJson; seconds: number }> = [];
  let writer: RunningWriter | undefined;
  let report: WriterReport;
  let backupSeconds: number;
  try {
    writer = await startWriter({
      dataDir: options.dataDir,
      pollsPerSecond: options.pollsPerSecond ?? 5,
      eventEvery,
      persistent: options.persistentConnections ?? false,
    });
    log(`writer pid ${writer.pid} started (${options.pollsPerSecond ?? 5} polls/s)`);
    // A few polls first, so even the first archive holds some of the writer's rows.
    await sleep(Math.max(300, 3000 / (options.pollsPerSecond ?? 5)));
    const started = performance.now();
    for (let index = 1; index <= count; index++) {
      const run = await runCliJson<CreateJson>(['backup', 'create', '--data-dir', options.dataDir, '--backup-dir', options.backupDir]);
      made.push({ json: run.json, seconds: run.seconds });
      log(`backup ${index}/${count}: ${run.json.fileName} ${(run.json.size / 1e6).toFixed(1)} MB in ${run.seconds.toFixed(2)} s`);
    }
    backupSeconds = (performance.now() - started) / 1000;
    report = await writer.stop();
    log(`writer stopped: ${report.polls} polls, ${report.errors.length} errors`);
  } finally {
    writer?.kill();
  }

  const problems: string[] = [];
  const { baseline } = writer;
  for (const error of report.errors.slice(0, 20)) {
    problems.push(`writer: poll ${error.poll} on ${error.database} failed: ${error.code ?? ''} ${error.message}`);
  }
  if (report.errors.length > 20) problems.push(`writer: ${report.errors.length - 20} more errors`);

  const backups: BackupRecord[] = [];
  let previous: BackupRecord | undefined;
  for (const [offset, { json, seconds }] of made.entries()) {
    const index = offset + 1;
    const label = `backup ${index} (${json.fileName})`;
    const inspection = await inspectArchive(json.path, options.scratchDir, baseline);
    let cliVerified: boolean | null = null;
    let verifySeconds: number | null = null;
    const verifyEvery = options.cliVerifyEvery ?? 1;
    if (verifyEvery > 0 && (index % verifyEvery === 0 || index === made.length)) {
      try {
        const verified = await runCliJson(['backup', 'verify', '--backup-dir', options.backupDir, json.fileName]);
        cliVerified = true;
        verifySeconds = verified.seconds;
      } catch (error) {
        cliVerified = false;
        problems.push(`${label}: locker backup verify failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const record: BackupRecord = {
      index,
      fileName: json.fileName,
      seconds,
      createSeconds: json.seconds,
      size: json.size,
      databases: inspection.databases,
      cliVerified,
      verifySeconds,
    };
    problems.push(...checkArchive(label, record, inspection.meta, baseline, eventEvery));
    if (previous) problems.push(...compareWithPrevious(label, previous, record));
    backups.push(record);
    previous = record;
    log(`checked ${label}`);
    if (options.deleteCheckedArchives) await fs.rm(json.path, { force: true });
  }

  const live: Record<string, DatabaseCheck> = {};
  for (const name of DATABASES) {
    const check = checkDatabase(name, path.join(options.dataDir, name), baseline);
    live[name] = check;
    if (check.integrity.join() !== 'ok') problems.push(`live ${name}: integrity_check says ${check.integrity.join('; ')}`);
  }
  const committed: Record<string, number> = {
    snapshots: report.inserted.snapshots,
    events: report.inserted.events,
    connection_samples: report.inserted.connection_samples,
  };
  for (const name of DATABASES) {
    for (const [table, rows] of Object.entries(live[name]?.writerRows ?? {})) {
      if (rows !== committed[table])
        problems.push(`live ${name}: ${rows} ${table} rows of the writer, but it committed ${committed[table]}`);
      const last = backups.at(-1)?.databases[name]?.writerRows?.[table] ?? 0;
      if (last > rows) problems.push(`the last backup holds ${last} ${table} rows of the writer, more than the live ${rows}`);
    }
  }
  return { baseline, writer: report, backups, live, backupSeconds, problems };
}

/** Checks one archive on its own: sound databases, honest meta, whole writer transactions. */
function checkArchive(
  label: string,
  record: BackupRecord,
  meta: Record<string, unknown>,
  baseline: WriterBaseline,
  eventEvery: number,
): string[] {
  const problems: string[] = [];
  for (const name of DATABASES) {
    const check = record.databases[name];
    if (!check) {
      problems.push(`${label}: ${name} is missing`);
      continue;
    }
    if (check.integrity.join() !== 'ok') problems.push(`${label}: ${name} integrity_check says ${check.integrity.join('; ')}`);
    if (check.foreignKeyViolations > 0) problems.push(`${label}: ${name} has ${check.foreignKeyViolations} foreign key violations`);
    const metaCounts = meta[META_TABLES[name]!];
    if (JSON.stringify(metaCounts) !== JSON.stringify(check.counts)) {
      problems.push(
        `${label}: backup_meta.json ${META_TABLES[name]} ${JSON.stringify(metaCounts)} differ from the rows in ${name} ${JSON.stringify(check.counts)}`,
      );
    }
  }
  const snapshots = record.databases['docsis_history.db']?.writerRows?.['snapshots'] ?? 0;
  const events = record.databases['docsis_history.db']?.writerRows?.['events'] ?? 0;
  if (events !== Math.ceil(snapshots / eventEvery)) {
    problems.push(
      `${label}: ${snapshots} writer snapshots but ${events} writer events (expected ${Math.ceil(snapshots / eventEvery)}): a poll's transaction was torn`,
    );
  }
  const samples = record.databases['connection_monitor.db']?.writerRows?.['connection_samples'] ?? 0;
  if (samples % baseline.targetIds.length !== 0) {
    problems.push(`${label}: ${samples} writer samples, not a multiple of ${baseline.targetIds.length} targets: a probe round was torn`);
  }
  return problems;
}

/** Row counts never go back between successive archives; the writer's tables grow. */
function compareWithPrevious(label: string, previous: BackupRecord, current: BackupRecord): string[] {
  const problems: string[] = [];
  for (const name of DATABASES) {
    const before = previous.databases[name]?.counts ?? {};
    const after = current.databases[name]?.counts ?? {};
    for (const [table, rows] of Object.entries(before)) {
      const now = after[table];
      if (now === undefined) problems.push(`${label}: ${name} lost table ${table}`);
      else if (now < rows) problems.push(`${label}: ${name}.${table} went back from ${rows} to ${now} rows`);
    }
    for (const table of GROWING[name] ?? []) {
      if ((after[table] ?? 0) <= (before[table] ?? 0)) {
        problems.push(`${label}: ${name}.${table} did not grow (${before[table]} → ${after[table]}) though the writer kept writing`);
      }
    }
  }
  return problems;
}
