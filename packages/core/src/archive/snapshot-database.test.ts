import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_DDL, seedHistory } from './create-backup.test-fixtures.ts';
import { snapshotDatabase } from './snapshot-database.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function liveHistory(options: { userRows: number; demoRows: number }): { dir: string; source: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-snapshot-'));
  dirs.push(dir);
  const source = path.join(dir, 'docsis_history.db');
  const db = new Database(source);
  db.pragma('journal_mode = WAL');
  db.exec(HISTORY_DDL);
  seedHistory(db, { ...options, payloadBytes: 3000 });
  db.close();
  return { dir, source };
}

describe('snapshotDatabase', () => {
  it('copies a WAL database into a rollback-journal file with rows counted in creation order', () => {
    const { dir, source } = liveHistory({ userRows: 4, demoRows: 0 });
    const snapshot = snapshotDatabase({ sourcePath: source, copyPath: path.join(dir, 'copy.db'), removeDemo: true });
    // The fixture always has a demo incident and a demo journal entry with one attachment.
    expect(snapshot.demoRowsRemoved).toBe(3);
    expect(Object.keys(snapshot.tables).slice(0, 4)).toEqual(['_docsight_migrations', '_docsight_meta', 'snapshots', 'events']);
    expect(snapshot.tables).toMatchObject({ snapshots: 4, journal_entries: 2, journal_attachments: 1, incidents: 1 });
    expect([...fs.readFileSync(snapshot.copyPath).subarray(18, 20)]).toEqual([1, 1]);
    expect(snapshot.copyMethod).toBe('copied');
    expect(fs.readdirSync(dir).sort()).toEqual(['copy.db', 'docsis_history.db']);
  });

  it('compacts a file copy that carries more than 1 % free pages of the live file', () => {
    const { dir, source } = liveHistory({ userRows: 300, demoRows: 0 });
    const live = new Database(source);
    live.prepare('DELETE FROM snapshots WHERE id > 10').run();
    const freePages = live.pragma('freelist_count', { simple: true }) as number;
    live.close();
    expect(freePages).toBeGreaterThan(100);
    const snapshot = snapshotDatabase({ sourcePath: source, copyPath: path.join(dir, 'copy.db'), removeDemo: false });
    expect(snapshot.copyMethod).toBe('copied');
    const copy = new Database(snapshot.copyPath, { readonly: true });
    expect(copy.pragma('freelist_count', { simple: true })).toBe(0);
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    expect(snapshot.tables.snapshots).toBe(10);
  });

  it('copies a rollback-journal database with VACUUM INTO', () => {
    const { dir, source } = liveHistory({ userRows: 3, demoRows: 0 });
    const live = new Database(source);
    live.pragma('journal_mode = DELETE');
    live.close();
    const snapshot = snapshotDatabase({ sourcePath: source, copyPath: path.join(dir, 'copy.db'), removeDemo: false });
    expect(snapshot.copyMethod).toBe('not-wal');
    expect(snapshot.tables.snapshots).toBe(3);
    expect([...fs.readFileSync(snapshot.copyPath).subarray(18, 20)]).toEqual([1, 1]);
  });

  it('compacts the copy after removing demo rows so no free pages are archived', () => {
    const { dir, source } = liveHistory({ userRows: 2, demoRows: 300 });
    const snapshot = snapshotDatabase({ sourcePath: source, copyPath: path.join(dir, 'copy.db'), removeDemo: true });
    const copy = new Database(snapshot.copyPath, { readonly: true });
    expect(copy.pragma('freelist_count', { simple: true })).toBe(0);
    expect(copy.prepare('SELECT COUNT(*) FROM snapshots').pluck().get()).toBe(2);
    copy.close();
    expect(snapshot.size).toBeLessThan(fs.statSync(source).size / 10);
    expect(snapshot.demoRowsRemoved).toBeGreaterThanOrEqual(300 * 7);
  });

  it('keeps demo rows when asked to', () => {
    const { dir, source } = liveHistory({ userRows: 1, demoRows: 2 });
    const snapshot = snapshotDatabase({ sourcePath: source, copyPath: path.join(dir, 'copy.db'), removeDemo: false });
    expect(snapshot.tables.snapshots).toBe(3);
  });
});
