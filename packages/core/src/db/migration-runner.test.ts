import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { recordedMigrationIds, runMigrations, type Migration } from './migration-runner.ts';

const fixedNow = (): string => '2026-11-26T07:01:08.661304+00:00';

function createTableMigration(id: string, table: string, calls: string[]): Migration {
  return {
    id,
    apply: (db) => {
      calls.push(id);
      db.exec(`CREATE TABLE ${table} (a TEXT)`);
    },
    isApplied: (db) => db.prepare('SELECT 1 FROM sqlite_master WHERE name=?').get(table) !== undefined,
  };
}

describe('runMigrations', () => {
  it('records each id with applied_at in Python isoformat', () => {
    const db = new Database(':memory:');
    const calls: string[] = [];
    expect(runMigrations(db, [createTableMigration('m-1', 'a', calls), createTableMigration('m-2', 'b', calls)], fixedNow)).toEqual([
      'm-1',
      'm-2',
    ]);
    expect(db.prepare('SELECT id, applied_at FROM _docsight_migrations').all()).toEqual([
      { id: 'm-1', applied_at: '2026-11-26T07:01:08.661304+00:00' },
      { id: 'm-2', applied_at: '2026-11-26T07:01:08.661304+00:00' },
    ]);
  });

  it('stamps a migration without applying it when the shape probe says it is there', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE a (a TEXT)');
    const calls: string[] = [];
    expect(runMigrations(db, [createTableMigration('m-1', 'a', calls)], fixedNow)).toEqual(['m-1']);
    expect(calls).toEqual([]);
  });

  it('takes the fast path without writing when every id is recorded', () => {
    const db = new Database(':memory:');
    const calls: string[] = [];
    const migrations = [createTableMigration('m-1', 'a', calls)];
    runMigrations(db, migrations, fixedNow);
    const changesBefore = db.prepare('SELECT total_changes()').pluck().get();
    expect(runMigrations(db, migrations, fixedNow)).toEqual([]);
    expect(db.prepare('SELECT total_changes()').pluck().get()).toBe(changesBefore);
  });

  it('rolls back only the failing migration and keeps the earlier ones recorded', () => {
    const db = new Database(':memory:');
    const calls: string[] = [];
    const failing: Migration = {
      id: 'm-2',
      apply: (conn) => {
        conn.exec('CREATE TABLE half_done (a TEXT)');
        throw new Error('boom');
      },
      isApplied: () => false,
    };
    expect(() => runMigrations(db, [createTableMigration('m-1', 'a', calls), failing], fixedNow)).toThrow('boom');
    expect(recordedMigrationIds(db)).toEqual(['m-1']);
    expect(db.prepare("SELECT 1 FROM sqlite_master WHERE name='half_done'").get()).toBeUndefined();
  });
});
