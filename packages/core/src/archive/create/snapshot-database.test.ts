import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { HISTORY_DDL, seedHistory } from '@evidence-locker/core/testing/create-backup-fixtures';
import { copyLiveDatabaseWhile } from './copy-live-database.ts';
import { countTables, snapshotDatabase } from './snapshot-database.ts';

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
  it('copies a WAL database into a rollback-journal file with rows counted in creation order', async () => {
    const { dir, source } = liveHistory({ userRows: 4, demoRows: 0 });
    const snapshot = await snapshotDatabase({ sourcePath: source, copyPath: path.join(dir, 'copy.db'), removeDemo: true });
    // The fixture always has a demo incident and a demo journal entry with one attachment.
    expect(snapshot.demoRowsRemoved).toBe(3);
    expect(Object.keys(snapshot.tables).slice(0, 4)).toEqual(['_docsight_migrations', '_docsight_meta', 'snapshots', 'events']);
    expect(snapshot.tables).toMatchObject({ snapshots: 4, journal_entries: 2, journal_attachments: 1, incidents: 1 });
    expect([...fs.readFileSync(snapshot.copyPath).subarray(18, 20)]).toEqual([1, 1]);
    expect(snapshot.copyMethod).toBe('copied');
    expect(fs.readdirSync(dir).sort()).toEqual(['copy.db', 'docsis_history.db']);
  });

  it('compacts a file copy that carries more than 1 % free pages of the live file', async () => {
    const { dir, source } = liveHistory({ userRows: 300, demoRows: 0 });
    const live = new Database(source);
    live.prepare('DELETE FROM snapshots WHERE id > 10').run();
    const freePages = live.pragma('freelist_count', { simple: true }) as number;
    live.close();
    expect(freePages).toBeGreaterThan(100);
    const snapshot = await snapshotDatabase({ sourcePath: source, copyPath: path.join(dir, 'copy.db'), removeDemo: false });
    expect(snapshot.copyMethod).toBe('copied');
    const copy = new Database(snapshot.copyPath, { readonly: true });
    expect(copy.pragma('freelist_count', { simple: true })).toBe(0);
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    expect(snapshot.tables.snapshots).toBe(10);
  });

  it('copies a rollback-journal database with VACUUM INTO', async () => {
    const { dir, source } = liveHistory({ userRows: 3, demoRows: 0 });
    const live = new Database(source);
    live.pragma('journal_mode = DELETE');
    live.close();
    const snapshot = await snapshotDatabase({ sourcePath: source, copyPath: path.join(dir, 'copy.db'), removeDemo: false });
    expect(snapshot.copyMethod).toBe('not-wal');
    expect(snapshot.tables.snapshots).toBe(3);
    expect([...fs.readFileSync(snapshot.copyPath).subarray(18, 20)]).toEqual([1, 1]);
  });

  it('compacts the copy after removing demo rows so no free pages are archived', async () => {
    const { dir, source } = liveHistory({ userRows: 2, demoRows: 300 });
    const snapshot = await snapshotDatabase({ sourcePath: source, copyPath: path.join(dir, 'copy.db'), removeDemo: true });
    const copy = new Database(snapshot.copyPath, { readonly: true });
    expect(copy.pragma('freelist_count', { simple: true })).toBe(0);
    expect(copy.prepare('SELECT COUNT(*) FROM snapshots').pluck().get()).toBe(2);
    copy.close();
    expect(snapshot.size).toBeLessThan(fs.statSync(source).size / 10);
    expect(snapshot.demoRowsRemoved).toBeGreaterThanOrEqual(300 * 7);
  });

  it('keeps demo rows when asked to', async () => {
    const { dir, source } = liveHistory({ userRows: 1, demoRows: 2 });
    const snapshot = await snapshotDatabase({ sourcePath: source, copyPath: path.join(dir, 'copy.db'), removeDemo: false });
    expect(snapshot.tables.snapshots).toBe(3);
  });

  it('counts a WAL database without demo rows on the pinned snapshot while cp copies it, and filters nothing', async () => {
    const { dir, source } = liveHistory({ userRows: 40, demoRows: 0 });
    const live = new Database(source);
    for (const table of ['journal_attachments', 'journal_entries', 'incidents']) {
      if (table === 'journal_attachments')
        live.prepare('DELETE FROM journal_attachments WHERE entry_id IN (SELECT id FROM journal_entries WHERE is_demo = 1)').run();
      else live.prepare(`DELETE FROM ${table} WHERE is_demo = 1`).run();
    }
    live.close();
    const snapshot = await snapshotDatabase({ sourcePath: source, copyPath: path.join(dir, 'copy.db'), removeDemo: true });
    expect(snapshot.copyMethod).toBe('copied');
    expect(snapshot.demoRowsRemoved).toBe(0);
    const copy = new Database(snapshot.copyPath, { readonly: true });
    expect(snapshot.tables).toEqual(countTables(copy));
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    expect(snapshot.tables.snapshots).toBe(40);
    expect([...fs.readFileSync(snapshot.copyPath).subarray(18, 20)]).toEqual([1, 1]);
  });

  it('sees in the scan beside cp exactly the copy: a row committed meanwhile is in neither', async () => {
    const { dir, source } = liveHistory({ userRows: 5, demoRows: 0 });
    const writer = new Database(source);
    const target = path.join(dir, 'copy.db');
    const copied = await copyLiveDatabaseWhile(source, target, (db) => {
      writer
        .prepare(
          "INSERT INTO snapshots (timestamp, summary_json, ds_channels_json, us_channels_json) VALUES ('2026-11-26T10:00:00', '{}', '[]', '[]')",
        )
        .run();
      return db.prepare('SELECT COUNT(*) FROM snapshots').pluck().get() as number;
    });
    expect(copied).toEqual({ outcome: 'copied', result: 5 });
    expect(writer.prepare('SELECT COUNT(*) FROM snapshots').pluck().get()).toBe(6);
    writer.close();
    const copy = new Database(target, { readonly: true });
    expect(copy.prepare('SELECT COUNT(*) FROM snapshots').pluck().get()).toBe(5);
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  });

  it('leaves no copy behind and reports the error when the scan beside cp fails', async () => {
    const { dir, source } = liveHistory({ userRows: 5, demoRows: 0 });
    const target = path.join(dir, 'copy.db');
    await expect(
      copyLiveDatabaseWhile(source, target, () => {
        throw new Error('scan broke');
      }),
    ).rejects.toThrow('scan broke');
    expect(fs.existsSync(target)).toBe(false);
  });
});
