/**
 * A stand-in for DOCSight's collectors, run as its own process next to backups of the same data
 * directory. It writes the way DOCSight does: connections with `busy_timeout=30000` and
 * `foreign_keys=ON`, `PRAGMA journal_mode=WAL` before every write transaction (DOCSight's
 * `write_transaction`), one transaction per poll, and a fresh connection per transaction unless
 * `--persistent` is given (DOCSight's storage classes connect per call).
 *
 *   node --import tsx docsight-writer.ts --data-dir DIR [--polls-per-second 5] [--event-every 3]
 *     [--persistent]
 *
 * Each poll, "several per second" instead of DOCSight's one per 15 minutes:
 *   docsis_history.db      one transaction: a `snapshots` row (the JSON columns of the newest
 *                          existing row, error counters moved on, timestamp 15 minutes after the
 *                          previous one), `device_state` upserted, and on every `--event-every`-th
 *                          poll (the first included) an `events` row stamped like the snapshot;
 *   connection_monitor.db  one transaction: a `connection_samples` row per target (REAL epoch
 *                          timestamps, as `time.time()` writes them).
 * So inside any consistent copy, the writer's events number ceil(snapshots / event-every) and its
 * samples are a multiple of the target count; a torn transaction breaks either.
 *
 * Protocol (stdout, one JSON document per line):
 *   {"type":"ready", ...WriterBaseline}  after opening, before the first poll: the highest ids
 *                                        before the writer started (its rows have larger ids);
 *   {"type":"report", ...WriterReport}   after it stopped: rows committed, polls, errors.
 * It stops after the poll in progress when stdin says `stop` or closes, or on SIGTERM/SIGINT.
 * Every failed transaction (SQLITE_BUSY after the busy timeout included) is an error in the report;
 * the writer carries on with the next poll.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

/** The highest ids and the template the writer started from. */
export interface WriterBaseline {
  snapshotsMaxId: number;
  eventsMaxId: number;
  samplesMaxId: number;
  targetIds: number[];
  eventEvery: number;
}

/** One failed transaction. */
export interface WriterError {
  database: 'docsis_history.db' | 'connection_monitor.db';
  poll: number;
  code: string | null;
  message: string;
}

/** What the writer did, printed once when it stops. */
export interface WriterReport {
  polls: number;
  /** Rows committed per table (device_state counts upserts). */
  inserted: { snapshots: number; events: number; device_state: number; connection_samples: number };
  errors: WriterError[];
  seconds: number;
  /** Longest single transaction per database, connect to commit (ms): how long a backup held the writer up. */
  worstTransactionMs: { 'docsis_history.db': number; 'connection_monitor.db': number };
  /** Transactions (of both databases) that took longer than SLOW_TRANSACTION_MS. */
  slowTransactions: number;
  /** Polls that started more than one interval late (the writer could not keep its rate). */
  latePolls: number;
}

const BUSY_TIMEOUT_MS = 30_000;
/** A transaction slower than this counts in `slowTransactions`. */
export const SLOW_TRANSACTION_MS = 250;
const POLL_MS_OF_DOCSIGHT = 15 * 60 * 1000;
const HISTORY_DB = 'docsis_history.db';
const CONNECTION_MONITOR_DB = 'connection_monitor.db';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    'polls-per-second': { type: 'string', default: '5' },
    'event-every': { type: 'string', default: '3' },
    persistent: { type: 'boolean', default: false },
  },
});
if (!values['data-dir']) throw new Error('--data-dir DIR is required');
const dataDir = path.resolve(values['data-dir']);
const pollsPerSecond = Number(values['polls-per-second']);
const eventEvery = Math.max(1, Math.trunc(Number(values['event-every'])));
const persistent = values.persistent ?? false;
const intervalMs = 1000 / pollsPerSecond;

/** Opens a connection the way DOCSight's `_connect` does. */
function connect(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  return db;
}

/** A connection per transaction (DOCSight's default) or one kept open. */
function connectionSource(file: string): { use<T>(work: (db: Database.Database) => T): T; close(): void } {
  let kept: Database.Database | undefined;
  return {
    use(work) {
      const db = persistent ? (kept ??= connect(file)) : connect(file);
      try {
        return work(db);
      } finally {
        if (!persistent) db.close();
      }
    },
    close() {
      kept?.close();
    },
  };
}

/**
 * Like DOCSight's `write_transaction`: `journal_mode=WAL` asserted, then one transaction, rolled back
 * on error. IMMEDIATE takes the write lock up front, so a locked database means waiting up to the
 * busy timeout (as a Python INSERT under a deferred BEGIN does), not an upgrade failure.
 */
function writeTransaction(db: Database.Database, work: () => void): void {
  db.pragma('journal_mode = WAL');
  db.exec('BEGIN IMMEDIATE');
  try {
    work();
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

interface SnapshotTemplate {
  timestamp: string;
  summary_json: string;
  ds_channels_json: string;
  us_channels_json: string;
  raw_json: string | null;
  analysis_meta_json: string | null;
}

function readStart(): { baseline: WriterBaseline; template: SnapshotTemplate } {
  const history = connect(path.join(dataDir, HISTORY_DB));
  const monitor = connect(path.join(dataDir, CONNECTION_MONITOR_DB));
  try {
    const maxId = (db: Database.Database, table: string): number =>
      (db.prepare(`SELECT coalesce(max(id), 0) AS id FROM ${table}`).get() as { id: number }).id;
    const template = history
      .prepare(
        'SELECT timestamp, summary_json, ds_channels_json, us_channels_json, raw_json, analysis_meta_json FROM snapshots ORDER BY id DESC LIMIT 1',
      )
      .get() as SnapshotTemplate | undefined;
    if (!template) throw new Error(`${HISTORY_DB} has no snapshots to take the row shape from: seed it first`);
    const targetIds = (monitor.prepare('SELECT id FROM connection_targets ORDER BY id').all() as { id: number }[]).map((row) => row.id);
    if (targetIds.length === 0) throw new Error(`${CONNECTION_MONITOR_DB} has no connection targets: seed it first`);
    return {
      baseline: {
        snapshotsMaxId: maxId(history, 'snapshots'),
        eventsMaxId: maxId(history, 'events'),
        samplesMaxId: maxId(monitor, 'connection_samples'),
        targetIds,
        eventEvery,
      },
      template,
    };
  } finally {
    history.close();
    monitor.close();
  }
}

/** DOCSight's UTC text: `YYYY-MM-DDTHH:MM:SSZ`. */
function utcText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Moves every error counter of the channel JSON on by `step`, keeping DOCSight's formatting. */
function advanceCounters(json: string, step: number): string {
  return json.replace(/("correctable_errors": )(\d+)/g, (_match, key: string, count: string) => `${key}${Number(count) + step}`);
}

function errorOf(database: WriterError['database'], poll: number, error: unknown): WriterError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : null;
  return { database, poll, code, message: error instanceof Error ? error.message : String(error) };
}

const { baseline, template } = readStart();
const history = connectionSource(path.join(dataDir, HISTORY_DB));
const monitor = connectionSource(path.join(dataDir, CONNECTION_MONITOR_DB));
const startMs = Date.parse(template.timestamp);
const report: WriterReport = {
  polls: 0,
  inserted: { snapshots: 0, events: 0, device_state: 0, connection_samples: 0 },
  errors: [],
  seconds: 0,
  worstTransactionMs: { [HISTORY_DB]: 0, [CONNECTION_MONITOR_DB]: 0 },
  slowTransactions: 0,
  latePolls: 0,
};

function timed(database: WriterError['database'], work: () => void): void {
  const started = performance.now();
  try {
    work();
  } finally {
    const ms = performance.now() - started;
    report.worstTransactionMs[database] = Math.max(report.worstTransactionMs[database], ms);
    if (ms > SLOW_TRANSACTION_MS) report.slowTransactions += 1;
  }
}

function pollHistory(poll: number): void {
  const stampMs = startMs + (poll + 1) * POLL_MS_OF_DOCSIGHT;
  const timestamp = utcText(stampMs);
  const withEvent = poll % eventEvery === 0;
  timed(HISTORY_DB, () =>
    history.use((db) =>
      writeTransaction(db, () => {
        db.prepare(
          'INSERT INTO snapshots (timestamp, summary_json, ds_channels_json, us_channels_json, raw_json, analysis_meta_json, is_demo) VALUES (?, ?, ?, ?, ?, ?, 0)',
        ).run(
          timestamp,
          template.summary_json,
          advanceCounters(template.ds_channels_json, poll + 1),
          template.us_channels_json,
          template.raw_json,
          template.analysis_meta_json,
        );
        db.prepare(
          `INSERT INTO device_state (id, uptime_seconds, sw_version, wan_ipv4, wan_ipv6, updated_at) VALUES (1, ?, '7.57', '203.0.113.17', NULL, ?)
           ON CONFLICT(id) DO UPDATE SET uptime_seconds = excluded.uptime_seconds, updated_at = excluded.updated_at`,
        ).run(86_400 + (poll + 1) * 900, timestamp);
        if (withEvent) {
          db.prepare(
            "INSERT INTO events (timestamp, severity, event_type, message, details, acknowledged, is_demo) VALUES (?, 'warning', 'error_spike', ?, ?, 0, 0)",
          ).run(timestamp, `Uncorrectable errors jumped by ${50 + (poll % 7)}`, `{"prev": ${poll}, "current": ${poll + 50 + (poll % 7)}}`);
        }
      }),
    ),
  );
  report.inserted.snapshots += 1;
  report.inserted.device_state += 1;
  if (withEvent) report.inserted.events += 1;
}

function pollConnectionMonitor(poll: number): void {
  const timestamp = Date.now() / 1000;
  timed(CONNECTION_MONITOR_DB, () =>
    monitor.use((db) =>
      writeTransaction(db, () => {
        const insert = db.prepare(
          "INSERT INTO connection_samples (target_id, timestamp, latency_ms, timeout, probe_method) VALUES (?, ?, ?, 0, 'tcp')",
        );
        baseline.targetIds.forEach((targetId, index) => {
          insert.run(
            targetId,
            Math.round((timestamp + index * 0.0007) * 1e6) / 1e6,
            Math.round((1.4 + index * 6 + (poll % 10) * 0.37) * 100) / 100,
          );
        });
      }),
    ),
  );
  report.inserted.connection_samples += baseline.targetIds.length;
}

let stopping = false;
const stop = (): void => {
  stopping = true;
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  if (chunk.includes('stop')) stop();
});
process.stdin.on('end', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(): Promise<void> {
  process.stdout.write(`${JSON.stringify({ type: 'ready', ...baseline })}\n`);
  const started = performance.now();
  let next = started;
  for (let poll = 0; !stopping; poll++) {
    try {
      pollHistory(poll);
    } catch (error) {
      report.errors.push(errorOf(HISTORY_DB, poll, error));
    }
    try {
      pollConnectionMonitor(poll);
    } catch (error) {
      report.errors.push(errorOf(CONNECTION_MONITOR_DB, poll, error));
    }
    report.polls += 1;
    next += intervalMs;
    const wait = next - performance.now();
    if (wait < -intervalMs) {
      report.latePolls += 1;
      next = performance.now();
    }
    // Always yield, so a `stop` on stdin is seen even when the writer runs behind.
    await sleep(Math.max(0, wait));
  }
  report.seconds = (performance.now() - started) / 1000;
  history.close();
  monitor.close();
  process.stdout.write(`${JSON.stringify({ type: 'report', ...report })}\n`);
  process.stdin.destroy();
}

await run();
