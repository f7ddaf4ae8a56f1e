import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isLockerError } from '../../errors.ts';
import { backupFileName } from '../format/backup-file-name.ts';
import { createBackup, type BackupProgress, type CreateBackupOptions } from './create-backup.ts';
import {
  countRows,
  firstGzipMemberLength,
  listDir,
  makeDataDir,
  readWithPython,
  type FixtureDataDir,
} from '@evidence-locker/core/testing/create-backup-fixtures';

const DATA_FILES_ORDER = ['backup_meta.json', 'docsis_history.db', 'connection_monitor.db', 'config.json', '.config_key'];
const NOW = new Date(2026, 10, 26, 7, 2, 50, 446);

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function fixture(options: Parameters<typeof makeDataDir>[0] = {}): FixtureDataDir & { backupDir: string; outDir: string } {
  const dir = makeDataDir(options);
  cleanups.push(dir.cleanup);
  const backupDir = path.join(path.dirname(dir.dataDir), 'backups');
  const outDir = path.join(path.dirname(dir.dataDir), 'extracted');
  fs.mkdirSync(outDir);
  return { ...dir, backupDir, outDir };
}

function backupTo(fx: { dataDir: string; backupDir: string }, extra: Partial<CreateBackupOptions> = {}) {
  return createBackup({
    dataDir: fx.dataDir,
    destination: { kind: 'directory', backupDir: fx.backupDir },
    trigger: 'manual',
    now: NOW,
    ...extra,
  });
}

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const liveFiles = ['docsis_history.db', 'connection_monitor.db', 'config.json', '.config_key', '.session_key', '.auth_state'];

describe('createBackup', () => {
  it('never archives the session signing key or the auth fingerprint', async () => {
    const fx = fixture();
    expect(fs.existsSync(path.join(fx.dataDir, '.session_key'))).toBe(true);
    const result = await backupTo(fx);
    const names = readWithPython(result.path!, fx.outDir).members.map((m) => m.name);
    expect(names).not.toContain('.session_key');
    expect(names).not.toContain('.auth_state');
    expect(Object.keys(result.meta.members)).not.toContain('.session_key');
  });

  it('writes every member in DOCSight order as a bare-named regular ustar file with DOCSight modes', async () => {
    const fx = fixture();
    const result = await backupTo(fx);
    const view = readWithPython(result.path!, fx.outDir);
    expect(view.members.map((m) => m.name)).toEqual(DATA_FILES_ORDER);
    for (const member of view.members) {
      expect(member.type).toBe('0');
      expect([member.uid, member.gid]).toEqual([0, 0]);
      expect(Number.isInteger(member.mtime)).toBe(true);
    }
    const created = Math.floor(NOW.getTime() / 1000);
    expect(view.members.slice(0, 3).map((m) => m.mtime)).toEqual([created, created, created]);
    const modes = Object.fromEntries(view.members.map((m) => [m.name, m.mode]));
    expect(modes).toMatchObject({ 'backup_meta.json': 0o644, 'docsis_history.db': 0o644, 'config.json': 0o600, '.config_key': 0o600 });
    expect(result.fileName).toBe(backupFileName(NOW));
    expect(result.size).toBe(fs.statSync(result.path!).size);
  });

  it('passes the checks of DOCSight restore and is one gzip file made of several members', async () => {
    const fx = fixture({ userRows: 300, payloadBytes: 2000 });
    const result = await backupTo(fx, { gzip: { chunkSize: 64 * 1024 } });
    const view = readWithPython(result.path!, fx.outDir);
    expect(view.docsightRejects).toBeNull();
    expect(view.gzipMembers).toBeGreaterThan(3);
    // The index lists every member after the meta's own, and they add up to the rest of the file.
    const index = result.meta.gzip_members!;
    expect(index).toHaveLength(view.gzipMembers - 1);
    const metaMember = firstGzipMemberLength(fs.readFileSync(result.path!));
    expect(metaMember + index.reduce((sum, size) => sum + size, 0)).toBe(result.size);
    const gzipTest = spawn('gzip', ['-t', result.path!]);
    expect(await new Promise((resolve) => gzipTest.on('exit', resolve))).toBe(0);
  });

  it("writes the meta with DOCSight's keys first, tables of the filtered copy in creation order, and our additions", async () => {
    const fx = fixture();
    const result = await backupTo(fx, { trigger: 'scheduled', appVersion: 'test-1.2.3' });
    const view = readWithPython(result.path!, fx.outDir);
    expect(view.metaKeys).toEqual([
      'magic',
      'format_version',
      'timestamp',
      'app_version',
      'tables',
      'members',
      'connection_monitor_tables',
      'trigger',
      'generator',
      'gzip_members',
      'gzip_member_sha256',
      'gzip_member_crc32',
      'gzip_settings',
    ]);
    expect(view.meta).toMatchObject({ magic: 'docsight-backup', format_version: 1, app_version: 'test-1.2.3', trigger: 'scheduled' });
    expect(view.meta.timestamp).toBe(`${NOW.toISOString().slice(0, 19)}.446000+00:00`);
    const extractedTables = countRows(path.join(fx.outDir, 'docsis_history.db'));
    expect(Object.keys(view.meta.tables as object)).toEqual(Object.keys(extractedTables));
    expect(view.meta.tables).toEqual(extractedTables);
    expect(view.meta.tables).toMatchObject({ snapshots: 3, weather_data: 3, journal_entries: 2 });
    expect(view.meta.connection_monitor_tables).toEqual(countRows(path.join(fx.outDir, 'connection_monitor.db')));
    expect(result.meta).toEqual(view.meta);
  });

  it('records a size and SHA-256 for every member that match the archived bytes', async () => {
    const fx = fixture();
    const result = await backupTo(fx);
    const view = readWithPython(result.path!, fx.outDir);
    const members = result.meta.members;
    expect(Object.keys(members)).toEqual(DATA_FILES_ORDER.slice(1));
    for (const name of DATA_FILES_ORDER.slice(1)) {
      expect(members[name]!.sha256).toBe(view.sha256[name]);
      expect(members[name]!.size).toBe(fs.statSync(path.join(fx.outDir, name)).size);
    }
  });

  it('removes demo rows from every is_demo table of both databases, with their attachments, links, samples and hops', async () => {
    const fx = fixture({ userRows: 3, demoRows: 5 });
    const result = await backupTo(fx);
    readWithPython(result.path!, fx.outDir);
    const history = new Database(path.join(fx.outDir, 'docsis_history.db'), { readonly: true });
    const monitor = new Database(path.join(fx.outDir, 'connection_monitor.db'), { readonly: true });
    try {
      for (const table of [
        'snapshots',
        'events',
        'weather_data',
        'speedtest_results',
        'bqm_graphs',
        'bnetz_measurements',
        'journal_entries',
        'incidents',
        'community_module_rows',
      ]) {
        expect(history.prepare(`SELECT COUNT(*) FROM ${table} WHERE is_demo = 1`).pluck().get(), table).toBe(0);
      }
      expect(history.prepare('SELECT COUNT(*) FROM snapshots').pluck().get()).toBe(3);
      expect(history.prepare('SELECT filename FROM journal_attachments').pluck().all()).toEqual(['user.txt']);
      expect(history.prepare('SELECT id, incident_id FROM journal_entries ORDER BY id').all()).toEqual([
        { id: 1, incident_id: 1 },
        { id: 2, incident_id: null },
      ]);
      expect(monitor.prepare('SELECT id FROM connection_targets').pluck().all()).toEqual([1]);
      expect(monitor.prepare('SELECT DISTINCT target_id FROM connection_samples').pluck().all()).toEqual([1]);
      expect(monitor.prepare('SELECT DISTINCT target_id FROM connection_samples_aggregated').pluck().all()).toEqual([1]);
      expect(monitor.prepare('SELECT id FROM traceroute_traces').pluck().all()).toEqual([1]);
      expect(monitor.prepare('SELECT DISTINCT trace_id FROM traceroute_hops').pluck().all()).toEqual([1]);
    } finally {
      history.close();
      monitor.close();
    }
    expect(result.demoRowsRemoved).toBeGreaterThan(0);
  });

  it('archives compact rollback-journal databases that pass integrity_check and open without -wal files', async () => {
    const fx = fixture({ userRows: 2, demoRows: 200, payloadBytes: 4000 });
    const result = await backupTo(fx);
    readWithPython(result.path!, fx.outDir);
    for (const name of ['docsis_history.db', 'connection_monitor.db']) {
      const file = path.join(fx.outDir, name);
      const header = fs.readFileSync(file).subarray(18, 20);
      expect([...header], name).toEqual([1, 1]);
      const db = new Database(file);
      expect(db.pragma('freelist_count', { simple: true }), name).toBe(0);
      expect(db.pragma('integrity_check', { simple: true }), name).toBe('ok');
      expect(db.pragma('journal_mode', { simple: true }), name).toBe('delete');
      db.close();
    }
    expect(listDir(fx.outDir)).toEqual([...DATA_FILES_ORDER].sort());
  });

  it('leaves the live data directory byte-identical and free of work files', async () => {
    const fx = fixture();
    const before = Object.fromEntries(liveFiles.map((name) => [name, sha256(path.join(fx.dataDir, name))]));
    await backupTo(fx);
    expect(listDir(fx.dataDir)).toEqual([...liveFiles].sort());
    expect(Object.fromEntries(liveFiles.map((name) => [name, sha256(path.join(fx.dataDir, name))]))).toEqual(before);
  });

  it('lets a writer in another process keep inserting while the backup runs', async () => {
    const fx = fixture({ userRows: 2000, demoRows: 0, payloadBytes: 8000 });
    const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const writerScript = `
      const Database = require(${JSON.stringify(betterSqlite)});
      const db = new Database(${JSON.stringify(fx.historyPath)});
      db.pragma('busy_timeout = 30000');
      const insert = db.prepare("INSERT INTO events (timestamp, severity, event_type, message) VALUES ('t', 'info', 'w', 'm')");
      let inserted = 0, errors = [], stop = false;
      process.stdin.on('data', () => { stop = true; });
      process.stdout.write('ready\\n');
      (function loop() {
        if (stop) { db.close(); process.stdout.write(JSON.stringify({ inserted, errors }) + '\\n'); process.exit(0); }
        try { insert.run(); inserted++; } catch (e) { errors.push(String(e)); }
        setTimeout(loop, 1);
      })();`;
    const writer = spawn(process.execPath, ['-e', writerScript], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    writer.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await new Promise<void>((resolve) => {
      const check = (): void => (output.includes('ready') ? resolve() : void setTimeout(check, 5));
      check();
    });
    const result = await backupTo(fx);
    writer.stdin.write('stop\n');
    await new Promise((resolve) => writer.on('exit', resolve));
    const report = JSON.parse(output.split('\n')[1]!) as { inserted: number; errors: string[] };
    expect(report.errors).toEqual([]);
    expect(report.inserted).toBeGreaterThan(0);
    const archivedEvents = result.meta.tables.events!;
    expect(archivedEvents).toBeGreaterThanOrEqual(2000);
    expect(archivedEvents).toBeLessThanOrEqual(2000 + report.inserted);
    expect(countRows(fx.historyPath).events).toBe(2000 + report.inserted);
  });

  it('never overwrites a backup made in the same second and takes the next free second instead', async () => {
    const fx = fixture();
    fs.mkdirSync(fx.backupDir);
    const taken = path.join(fx.backupDir, backupFileName(NOW));
    fs.writeFileSync(taken, 'an earlier backup');
    const first = await backupTo(fx);
    const second = await backupTo(fx);
    expect(fs.readFileSync(taken, 'utf8')).toBe('an earlier backup');
    expect(first.fileName).toBe(backupFileName(new Date(NOW.getTime() + 1000)));
    expect(second.fileName).toBe(backupFileName(new Date(NOW.getTime() + 2000)));
    expect(listDir(fx.backupDir)).toEqual([taken, first.path, second.path].map((p) => path.basename(p!)).sort());
  });

  it('streams the archive to a writable and reports its size', async () => {
    const fx = fixture();
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    const result = await createBackup({ dataDir: fx.dataDir, destination: { kind: 'stream', stream }, trigger: 'download', now: NOW });
    const archive = path.join(fx.outDir, '..', 'download.tar.gz');
    fs.writeFileSync(archive, Buffer.concat(chunks));
    expect(result.size).toBe(fs.statSync(archive).size);
    expect(result.path).toBeUndefined();
    const view = readWithPython(archive, fx.outDir);
    expect(view.docsightRejects).toBeNull();
    expect(view.meta.trigger).toBe('download');
    expect(listDir(fx.dataDir)).toEqual([...liveFiles].sort());
  });

  it('archives only the meta and config.json when the data dir has nothing else', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-create-'));
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, 'config.json'), '{"demo_mode": true}');
    const result = await backupTo({ dataDir, backupDir: path.join(root, 'backups') });
    const outDir = path.join(root, 'out');
    fs.mkdirSync(outDir);
    const view = readWithPython(result.path!, outDir);
    expect(view.members.map((m) => m.name)).toEqual(['backup_meta.json', 'config.json']);
    expect(view.meta.tables).toEqual({});
    expect(view.docsightRejects).toBeNull();
  });

  it('reports progress per phase that never goes back and ends at the bytes expected', async () => {
    const fx = fixture({ userRows: 200, payloadBytes: 3000 });
    const events: BackupProgress[] = [];
    const result = await backupTo(fx, { onProgress: (p) => events.push(p), gzip: { chunkSize: 64 * 1024 } });
    expect([...new Set(events.map((e) => e.phase))]).toEqual(['snapshot', 'compress', 'write']);
    for (const phase of ['snapshot', 'compress', 'write'] as const) {
      const ofPhase = events.filter((e) => e.phase === phase);
      expect(ofPhase.length, phase).toBeGreaterThan(1);
      for (let i = 1; i < ofPhase.length; i++) {
        expect(ofPhase[i]!.bytesDone, phase).toBeGreaterThanOrEqual(ofPhase[i - 1]!.bytesDone);
        expect(ofPhase[i]!.bytesTotal, phase).toBe(ofPhase[0]!.bytesTotal);
      }
      const last = ofPhase.at(-1)!;
      expect(last.bytesDone, phase).toBe(last.bytesTotal);
    }
    expect(events.at(-1)!.bytesTotal).toBe(result.size);
  });

  it('leaves nothing behind in the data or backup dir when the destination stream fails', async () => {
    const fx = fixture({ userRows: 100, payloadBytes: 4000 });
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('client went away'));
      },
    });
    await expect(createBackup({ dataDir: fx.dataDir, destination: { kind: 'stream', stream }, trigger: 'download' })).rejects.toThrow(
      'client went away',
    );
    expect(listDir(fx.dataDir)).toEqual([...liveFiles].sort());
  });

  for (const phase of ['snapshot', 'compress', 'write'] as const) {
    it(`leaves nothing behind when the ${phase} phase fails half-way`, async () => {
      const fx = fixture({ userRows: 100, payloadBytes: 4000 });
      const failHalfWay = (p: BackupProgress): void => {
        if (p.phase === phase && p.bytesDone > 0) throw new Error('injected failure');
      };
      await expect(backupTo(fx, { onProgress: failHalfWay, gzip: { chunkSize: 64 * 1024 } })).rejects.toThrow('injected failure');
      expect(listDir(fx.backupDir)).toEqual([]);
      expect(listDir(fx.dataDir)).toEqual([...liveFiles].sort());
    });
  }

  for (const phase of ['snapshot', 'compress', 'write'] as const) {
    it(`cancels during the ${phase} phase with CANCELLED and leaves nothing behind`, async () => {
      const fx = fixture({ userRows: 200, payloadBytes: 4000 });
      const controller = new AbortController();
      const promise = backupTo(fx, {
        signal: controller.signal,
        gzip: { chunkSize: 64 * 1024 },
        onProgress: (p) => {
          if (p.phase === phase) controller.abort();
        },
      });
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isLockerError(error, 'CANCELLED'), String(error)).toBe(true);
      expect(listDir(fx.backupDir)).toEqual([]);
      expect(listDir(fx.dataDir)).toEqual([...liveFiles].sort());
    });
  }

  it('cancels a database copy that is already running and leaves nothing behind', async () => {
    const fx = fixture({ userRows: 4000, demoRows: 0, payloadBytes: 8000 });
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const promise = backupTo(fx, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'snapshot') timer ??= setTimeout(() => controller.abort(), 30);
      },
    });
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isLockerError(error, 'CANCELLED'), String(error)).toBe(true);
    expect(listDir(fx.dataDir)).toEqual([...liveFiles].sort());
    expect(countRows(fx.historyPath).snapshots).toBe(4000);
  });

  it('fails with DATA_DIR_UNUSABLE for a missing data directory and creates nothing', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'el-create-'));
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const error = await backupTo({ dataDir: path.join(root, 'missing'), backupDir: path.join(root, 'b') }).catch((e: unknown) => e);
    expect(isLockerError(error, 'DATA_DIR_UNUSABLE')).toBe(true);
    expect(listDir(root)).toEqual([]);
  });
});
