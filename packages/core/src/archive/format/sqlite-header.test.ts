import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { clearWalFlag } from './sqlite-header.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function walDatabase(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-header-'));
  dirs.push(dir);
  const file = path.join(dir, 'docsis_history.db');
  const db = new Database(file);
  db.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('kept');");
  db.pragma('journal_mode = WAL');
  db.close();
  return { dir, file };
}

describe('clearWalFlag', () => {
  it('flags a WAL database rollback-mode so a read-only open creates no -wal/-shm', () => {
    const { dir, file } = walDatabase();
    expect([...fs.readFileSync(file).subarray(18, 20)]).toEqual([2, 2]);
    return clearWalFlag(file).then((changed) => {
      expect(changed).toBe(true);
      expect([...fs.readFileSync(file).subarray(18, 20)]).toEqual([1, 1]);
      const db = new Database(file, { readonly: true });
      expect(db.prepare('SELECT x FROM t').pluck().get()).toBe('kept');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      expect(fs.readdirSync(dir)).toEqual(['docsis_history.db']);
    });
  });

  it('leaves a rollback-mode database and a non-database file unchanged', async () => {
    const { dir, file } = walDatabase();
    await clearWalFlag(file);
    const rollback = fs.readFileSync(file);
    expect(await clearWalFlag(file)).toBe(false);
    expect(fs.readFileSync(file)).toEqual(rollback);
    const junk = path.join(dir, 'junk');
    fs.writeFileSync(junk, Buffer.alloc(100, 2));
    expect(await clearWalFlag(junk)).toBe(false);
    expect(fs.readFileSync(junk)).toEqual(Buffer.alloc(100, 2));
  });
});
