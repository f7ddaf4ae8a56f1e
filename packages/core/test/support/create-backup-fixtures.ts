/**
 * Test fixtures for the backup writer: a small DOCSight data directory whose databases have the
 * tables the demo filter must handle (DOCSight's DDL trimmed to them: docs/docsight-compatibility.md,
 * A2), with user rows and demo rows side by side, and a Python reader that inspects an archive the
 * way DOCSight does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';

export const HISTORY_DDL = `
CREATE TABLE _docsight_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL);
CREATE TABLE _docsight_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE snapshots (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL, summary_json TEXT NOT NULL,
  ds_channels_json TEXT NOT NULL, us_channels_json TEXT NOT NULL, raw_json TEXT, analysis_meta_json TEXT,
  is_demo INTEGER NOT NULL DEFAULT 0);
CREATE INDEX idx_snapshots_ts ON snapshots(timestamp);
CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL, severity TEXT NOT NULL,
  event_type TEXT NOT NULL, message TEXT NOT NULL, details TEXT, acknowledged INTEGER NOT NULL DEFAULT 0,
  is_demo INTEGER NOT NULL DEFAULT 0);
CREATE TABLE weather_data (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL UNIQUE,
  temperature REAL NOT NULL, is_demo INTEGER NOT NULL DEFAULT 0);
CREATE TABLE api_tokens (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, token_hash TEXT NOT NULL,
  token_prefix TEXT NOT NULL, created_at TEXT NOT NULL, last_used_at TEXT, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE speedtest_results (id INTEGER PRIMARY KEY, timestamp TEXT NOT NULL, download_mbps REAL,
  is_demo INTEGER NOT NULL DEFAULT 0);
CREATE TABLE bqm_graphs (id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT NOT NULL UNIQUE, timestamp TEXT NOT NULL,
  image_blob BLOB NOT NULL, is_demo INTEGER NOT NULL DEFAULT 0);
CREATE TABLE bnetz_measurements (id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT NOT NULL, timestamp TEXT NOT NULL,
  pdf_blob BLOB, is_demo INTEGER NOT NULL DEFAULT 0);
CREATE TABLE journal_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT NOT NULL, title TEXT NOT NULL,
  description TEXT, icon TEXT, incident_id INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  is_demo INTEGER NOT NULL DEFAULT 0);
CREATE TABLE journal_attachments (id INTEGER PRIMARY KEY AUTOINCREMENT, entry_id INTEGER NOT NULL,
  filename TEXT NOT NULL, mime_type TEXT NOT NULL, data BLOB NOT NULL, created_at TEXT NOT NULL,
  FOREIGN KEY (entry_id) REFERENCES journal_entries(id) ON DELETE CASCADE);
CREATE TABLE incidents (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, description TEXT,
  status TEXT NOT NULL DEFAULT 'open', start_date TEXT, end_date TEXT, icon TEXT, created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL, is_demo INTEGER NOT NULL DEFAULT 0);
CREATE TABLE community_module_rows (id INTEGER PRIMARY KEY, value TEXT, is_demo INTEGER NOT NULL DEFAULT 0);
`;

export const MONITOR_DDL = `
CREATE TABLE _docsight_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL);
CREATE TABLE connection_targets (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL, host TEXT NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT 1, is_demo INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL);
CREATE TABLE connection_samples (id INTEGER PRIMARY KEY AUTOINCREMENT, target_id INTEGER NOT NULL,
  timestamp REAL NOT NULL, latency_ms REAL, timeout BOOLEAN NOT NULL DEFAULT 0, probe_method TEXT NOT NULL,
  FOREIGN KEY (target_id) REFERENCES connection_targets(id) ON DELETE CASCADE);
CREATE TABLE connection_samples_aggregated (id INTEGER PRIMARY KEY AUTOINCREMENT, target_id INTEGER NOT NULL,
  bucket_start REAL NOT NULL, bucket_seconds INTEGER NOT NULL, packet_loss_pct REAL NOT NULL, sample_count INTEGER NOT NULL,
  FOREIGN KEY (target_id) REFERENCES connection_targets(id) ON DELETE CASCADE);
CREATE TABLE traceroute_traces (id INTEGER PRIMARY KEY AUTOINCREMENT, target_id INTEGER NOT NULL,
  timestamp REAL NOT NULL, trigger_reason TEXT NOT NULL, hop_count INTEGER NOT NULL,
  is_demo INTEGER NOT NULL DEFAULT 0,
  FOREIGN KEY (target_id) REFERENCES connection_targets(id) ON DELETE CASCADE);
CREATE TABLE traceroute_hops (id INTEGER PRIMARY KEY AUTOINCREMENT, trace_id INTEGER NOT NULL, hop_index INTEGER NOT NULL,
  hop_ip TEXT, FOREIGN KEY (trace_id) REFERENCES traceroute_traces(id) ON DELETE CASCADE);
`;

const NOW = '2026-11-26T07:00:00Z';

/** Rows of the history database: `userRows` of each kind plus `demoRows` demo rows of each kind. */
export function seedHistory(db: Database.Database, options: { userRows: number; demoRows: number; payloadBytes?: number }): void {
  const payload = 'x'.repeat(options.payloadBytes ?? 200);
  const insert = db.transaction(() => {
    db.prepare("INSERT INTO _docsight_migrations VALUES ('core-0001-baseline', ?)").run(NOW);
    db.prepare("INSERT INTO _docsight_meta VALUES ('schema_version', '2')").run();
    db.prepare("INSERT INTO api_tokens (name, token_hash, token_prefix, created_at) VALUES ('t', 'h', 'dsk_1234', ?)").run(NOW);
    const rows = [...Array.from({ length: options.userRows }, () => 0), ...Array.from({ length: options.demoRows }, () => 1)];
    rows.forEach((demo, i) => {
      const ts = `2026-11-${String((i % 28) + 1).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z#${i}`;
      db.prepare('INSERT INTO snapshots (timestamp, summary_json, ds_channels_json, us_channels_json, is_demo) VALUES (?, ?, ?, ?, ?)').run(
        ts,
        `{"n":${i},"p":"${payload}"}`,
        `[${i}]`,
        '[]',
        demo,
      );
      db.prepare("INSERT INTO events (timestamp, severity, event_type, message, is_demo) VALUES (?, 'info', 't', 'm', ?)").run(ts, demo);
      db.prepare('INSERT INTO weather_data (timestamp, temperature, is_demo) VALUES (?, 3.5, ?)').run(ts, demo);
      db.prepare('INSERT INTO speedtest_results (timestamp, download_mbps, is_demo) VALUES (?, 100, ?)').run(ts, demo);
      db.prepare("INSERT INTO bqm_graphs (date, timestamp, image_blob, is_demo) VALUES (?, ?, x'89504e47', ?)").run(ts, ts, demo);
      db.prepare('INSERT INTO bnetz_measurements (date, timestamp, is_demo) VALUES (?, ?, ?)').run(ts, ts, demo);
      db.prepare('INSERT INTO community_module_rows (value, is_demo) VALUES (?, ?)').run(ts, demo);
    });
    // One user and one demo incident; a user entry and a demo entry both linked to the demo one.
    db.prepare("INSERT INTO incidents (id, name, created_at, updated_at, is_demo) VALUES (1, 'user', ?, ?, 0)").run(NOW, NOW);
    db.prepare("INSERT INTO incidents (id, name, created_at, updated_at, is_demo) VALUES (2, 'demo', ?, ?, 1)").run(NOW, NOW);
    const entry = db.prepare(
      "INSERT INTO journal_entries (id, date, title, incident_id, created_at, updated_at, is_demo) VALUES (?, '2026-11-01', ?, ?, ?, ?, ?)",
    );
    entry.run(1, 'user on user incident', 1, NOW, NOW, 0);
    entry.run(2, 'user on demo incident', 2, NOW, NOW, 0);
    entry.run(3, 'demo entry', 2, NOW, NOW, 1);
    const attachment = db.prepare(
      "INSERT INTO journal_attachments (entry_id, filename, mime_type, data, created_at) VALUES (?, ?, 'text/plain', x'00', ?)",
    );
    attachment.run(1, 'user.txt', NOW);
    attachment.run(3, 'demo.txt', NOW);
  });
  insert();
}

/** A user target (id 1) and a demo target (id 2), each with samples, aggregates, a trace and hops. */
export function seedMonitor(db: Database.Database): void {
  db.transaction(() => {
    db.prepare("INSERT INTO _docsight_migrations VALUES ('connection-monitor-0001-baseline', ?)").run(NOW);
    db.prepare("INSERT INTO connection_targets (id, label, host, is_demo, created_at) VALUES (1, 'user', '1.1.1.1', 0, 1)").run();
    db.prepare("INSERT INTO connection_targets (id, label, host, is_demo, created_at) VALUES (2, 'demo', '9.9.9.9', 1, 1)").run();
    for (const target of [1, 2]) {
      for (let i = 0; i < 5; i++) {
        db.prepare("INSERT INTO connection_samples (target_id, timestamp, latency_ms, probe_method) VALUES (?, ?, 10, 'tcp')").run(
          target,
          i,
        );
      }
      db.prepare(
        'INSERT INTO connection_samples_aggregated (target_id, bucket_start, bucket_seconds, packet_loss_pct, sample_count) VALUES (?, 0, 60, 0, 5)',
      ).run(target);
    }
    // Trace 1: user. Trace 2: demo target. Trace 3: demo-flagged trace of the user target.
    const trace = db.prepare(
      "INSERT INTO traceroute_traces (id, target_id, timestamp, trigger_reason, hop_count, is_demo) VALUES (?, ?, 1, 'manual', 2, ?)",
    );
    trace.run(1, 1, 0);
    trace.run(2, 2, 1);
    trace.run(3, 1, 1);
    for (const traceId of [1, 2, 3]) {
      for (let hop = 0; hop < 2; hop++) {
        db.prepare("INSERT INTO traceroute_hops (trace_id, hop_index, hop_ip) VALUES (?, ?, '10.0.0.1')").run(traceId, hop);
      }
    }
  })();
}

export interface FixtureDataDir {
  dataDir: string;
  historyPath: string;
  monitorPath: string;
  cleanup: () => void;
}

/** Creates a DOCSight data dir (WAL databases, config and key files) in a fresh temp dir. */
export function makeDataDir(options: { userRows?: number; demoRows?: number; payloadBytes?: number } = {}): FixtureDataDir {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-create-'));
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir);
  const historyPath = path.join(dataDir, 'docsis_history.db');
  const monitorPath = path.join(dataDir, 'connection_monitor.db');
  const history = new Database(historyPath);
  history.pragma('journal_mode = WAL');
  history.exec(HISTORY_DDL);
  seedHistory(history, {
    userRows: options.userRows ?? 3,
    demoRows: options.demoRows ?? 4,
    ...(options.payloadBytes === undefined ? {} : { payloadBytes: options.payloadBytes }),
  });
  history.close();
  const monitor = new Database(monitorPath);
  monitor.pragma('journal_mode = WAL');
  monitor.exec(MONITOR_DDL);
  seedMonitor(monitor);
  monitor.close();
  fs.writeFileSync(path.join(dataDir, 'config.json'), '{\n  "modem_type": "fritzbox"\n}', { mode: 0o600 });
  fs.writeFileSync(path.join(dataDir, '.config_key'), 'PEtp_ZcxnfH9jdDhGgGu7SoYONgYvp8zImSmVmGg_2Q=', { mode: 0o600 });
  fs.writeFileSync(path.join(dataDir, '.session_key'), Buffer.alloc(32, 7), { mode: 0o600 });
  fs.writeFileSync(path.join(dataDir, '.auth_state'), 'a'.repeat(64), { mode: 0o600 });
  return { dataDir, historyPath, monitorPath, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** What Python's tarfile (DOCSight's reader) sees in an archive. */
export interface PythonArchiveView {
  members: { name: string; type: string; mode: number; size: number; uid: number; gid: number; mtime: number }[];
  metaKeys: string[];
  meta: Record<string, unknown>;
  sha256: Record<string, string>;
  gzipMembers: number;
  /** DOCSight's validate_backup and restore checks: null when they pass, else the reason. */
  docsightRejects: string | null;
}

const PYTHON_READER = String.raw`
import hashlib, json, os, sys, tarfile, zlib
archive, out = sys.argv[1], sys.argv[2]
data = open(archive, 'rb').read()
gzip_members = 0
rest = data
while rest:
    d = zlib.decompressobj(31)
    d.decompress(rest)
    rest = d.unused_data
    gzip_members += 1
rejects = None
with tarfile.open(archive, 'r:gz') as tf:
    members = tf.getmembers()
    names = [m.name for m in members]
    for m in members:
        if m.name.startswith('/') or '..' in m.name:
            rejects = 'unsafe path ' + m.name
    if 'backup_meta.json' not in names:
        rejects = 'missing meta'
    meta = json.loads(tf.extractfile('backup_meta.json').read().decode('utf-8'))
    if meta.get('magic') != 'docsight-backup':
        rejects = 'wrong magic'
    if type(meta.get('format_version', 0)) is not int or meta.get('format_version', 0) > 1:
        rejects = 'format_version'
    allowed = {'backup_meta.json', 'docsis_history.db', 'connection_monitor.db', 'config.json', '.config_key', '.session_key', '.auth_state'}
    sha = {}
    for m in members:
        if m.name not in allowed or not m.isreg():
            rejects = 'not restorable: ' + m.name
            continue
        content = tf.extractfile(m).read()
        sha[m.name] = hashlib.sha256(content).hexdigest()
        with open(os.path.join(out, m.name), 'wb') as f:
            f.write(content)
print(json.dumps({
    'members': [dict(name=m.name, type=m.type.decode(), mode=m.mode, size=m.size, uid=m.uid, gid=m.gid, mtime=m.mtime) for m in members],
    'metaKeys': list(meta.keys()), 'meta': meta, 'sha256': sha, 'gzipMembers': gzip_members, 'docsightRejects': rejects,
}))
`;

/** Reads `archivePath` with Python's tarfile and extracts its members into `outDir`. */
export function readWithPython(archivePath: string, outDir: string): PythonArchiveView {
  const output = execFileSync('python3', ['-c', PYTHON_READER, archivePath, outDir], { encoding: 'utf8' });
  return JSON.parse(output) as PythonArchiveView;
}

/** Row counts per table, in creation order. */
export function countRows(dbPath: string): Record<string, number> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const names = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY rowid")
      .pluck()
      .all() as string[];
    return Object.fromEntries(names.map((name) => [name, db.prepare(`SELECT COUNT(*) FROM "${name}"`).pluck().get() as number]));
  } finally {
    db.close();
  }
}

/** Lists a directory, sorted. */
export function listDir(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

/** Compressed length of the first gzip member of `archive` (header without optional fields). */
export function firstGzipMemberLength(archive: Buffer): number {
  const raw = zlib.inflateRawSync(archive.subarray(10), { info: true }) as unknown as { engine: zlib.InflateRaw };
  return 10 + raw.engine.bytesWritten + 8;
}
