import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { copyLiveDatabaseWhile } from './copy-live-database.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-live-copy-'));
  dirs.push(dir);
  return dir;
}

/** A database of about 8 MB (so the copy takes a while) in the given journal mode. */
function makeDatabase(dir: string, journalMode: 'wal' | 'delete'): string {
  const file = path.join(dir, 'docsis_history.db');
  const db = new Database(file);
  db.pragma(`journal_mode = ${journalMode}`);
  db.exec('CREATE TABLE samples (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO samples (payload) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`${i}:${'p'.repeat(4000)}`);
  })();
  db.close();
  return file;
}

function countAndCheck(file: string): { count: number; integrity: string } {
  // A scratch copy, so opening the WAL-flagged file creates its -wal/-shm next to the copy only.
  const db = new Database(file);
  try {
    return {
      count: db.prepare('SELECT COUNT(*) FROM samples').pluck().get() as number,
      integrity: db.pragma('integrity_check', { simple: true }) as string,
    };
  } finally {
    db.close();
  }
}

/**
 * Another process that inserts a row per commit (each commit rewrites a few pages) and, with
 * wal_autocheckpoint = 1, tries to checkpoint after every commit, which would write into the main
 * file if nothing held it back. Prints `ready`, then, when stdin closes, the commits it made.
 */
async function startWriter(file: string): Promise<{ stop: () => Promise<{ committed: number; errors: string[] }> }> {
  const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const script = `
    const Database = require(${JSON.stringify(betterSqlite)});
    const db = new Database(${JSON.stringify(file)});
    db.pragma('busy_timeout = 10000');
    db.pragma('wal_autocheckpoint = 1');
    const insert = db.prepare('INSERT INTO samples (payload) VALUES (?)');
    let committed = 0, errors = [], stop = false;
    process.stdin.on('end', () => { stop = true; });
    process.stdin.resume();
    process.stdout.write('ready\\n');
    (function loop() {
      if (stop) { db.close(); process.stdout.write(JSON.stringify({ committed, errors }) + '\\n'); return; }
      try { insert.run('w'.repeat(3000)); committed++; } catch (e) { errors.push(String(e)); }
      setImmediate(loop);
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.on('exit', () => reject(new Error(`writer exited early: ${output}`)));
    const check = (): void => (output.includes('ready') ? resolve() : void setTimeout(check, 5));
    check();
  });
  return {
    stop: async () => {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.stdin.end();
      await exited;
      return JSON.parse(output.split('\n')[1]!) as { committed: number; errors: string[] };
    },
  };
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('copyLiveDatabaseWhile', () => {
  it('copies the state of one moment while another process keeps committing and checkpointing', async () => {
    const dir = tempDir();
    const source = makeDatabase(dir, 'wal');
    const writer = await startWriter(source);
    sleepSync(100);
    let pinnedCount = -1;
    // The writer keeps committing (and trying to checkpoint) while the snapshot is held and cp
    // copies: none of it may reach the copy.
    const { outcome } = await copyLiveDatabaseWhile(source, path.join(dir, 'copy.db'), (db) => {
      pinnedCount = db.prepare('SELECT COUNT(*) FROM samples').pluck().get() as number;
      sleepSync(400);
    });
    const report = await writer.stop();
    expect(outcome).toBe('copied');
    expect(report.errors).toEqual([]);
    expect(pinnedCount).toBeGreaterThan(2000);
    const copy = countAndCheck(path.join(dir, 'copy.db'));
    expect(copy).toEqual({ count: pinnedCount, integrity: 'ok' });
    // The writer did commit while the snapshot was held, and nothing was lost from the live file.
    expect(countAndCheck(source).count).toBe(2000 + report.committed);
    expect(2000 + report.committed).toBeGreaterThan(pinnedCount + 10);
  });

  it('copies an intact database in every one of repeated runs under a busy writer', async () => {
    const dir = tempDir();
    const source = makeDatabase(dir, 'wal');
    const writer = await startWriter(source);
    const counts: number[] = [];
    for (let run = 0; run < 5; run++) {
      const target = path.join(dir, `copy-${run}.db`);
      const { outcome } = await copyLiveDatabaseWhile(source, target, () => undefined);
      if (outcome !== 'copied') continue;
      const copy = countAndCheck(target);
      expect(copy.integrity).toBe('ok');
      counts.push(copy.count);
    }
    const report = await writer.stop();
    expect(report.errors).toEqual([]);
    expect(counts.length).toBeGreaterThan(0);
    for (const count of counts) expect(count).toBeLessThanOrEqual(2000 + report.committed);
  });

  it('leaves the WAL flag in the copy for the caller to switch to rollback mode', async () => {
    const dir = tempDir();
    const source = makeDatabase(dir, 'wal');
    expect(await copyLiveDatabaseWhile(source, path.join(dir, 'copy.db'), () => 1)).toEqual({ outcome: 'copied', result: 1 });
    expect([...fs.readFileSync(path.join(dir, 'copy.db')).subarray(18, 20)]).toEqual([2, 2]);
  });

  it('declines a rollback-journal database, so the caller uses VACUUM INTO', async () => {
    const dir = tempDir();
    const source = makeDatabase(dir, 'delete');
    expect(await copyLiveDatabaseWhile(source, path.join(dir, 'copy.db'), () => 1)).toEqual({ outcome: 'not-wal' });
    expect(fs.existsSync(path.join(dir, 'copy.db'))).toBe(false);
  });

  it('declines while an older reader keeps WAL frames out of the main file', async () => {
    const dir = tempDir();
    const source = makeDatabase(dir, 'wal');
    const writer = new Database(source);
    const reader = new Database(source);
    try {
      writer.pragma('wal_autocheckpoint = 0');
      // A read transaction from before the next commit: that commit's frames cannot be checkpointed.
      reader.exec('BEGIN');
      reader.prepare('SELECT COUNT(*) FROM samples').pluck().get();
      writer.prepare('INSERT INTO samples (payload) VALUES (?)').run('frame');
      expect(await copyLiveDatabaseWhile(source, path.join(dir, 'copy.db'), () => 1, { busyTimeoutMs: 10 })).toEqual({
        outcome: 'wal-busy',
      });
      expect(fs.existsSync(path.join(dir, 'copy.db'))).toBe(false);
      reader.exec('ROLLBACK');
      // Once that reader is gone, the copy holds the committed frame.
      expect((await copyLiveDatabaseWhile(source, path.join(dir, 'copy.db'), () => 1)).outcome).toBe('copied');
      expect(countAndCheck(path.join(dir, 'copy.db'))).toEqual({ count: 2001, integrity: 'ok' });
    } finally {
      reader.close();
      writer.close();
    }
  });
});
