import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { addColumnIfMissing, quoteIdentifier, tableColumns, tableExists } from './table-shape.ts';

describe('table shape probes', () => {
  it('appends the declaration to the stored DDL the way DOCSight upgraded tables read', () => {
    const db = new Database(':memory:');
    db.exec('\n    CREATE TABLE IF NOT EXISTS t (\n        a TEXT\n    )\n    ');
    expect(addColumnIfMissing(db, 't', 'is_demo', 'is_demo INTEGER NOT NULL DEFAULT 0')).toBe(true);
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name='t'").pluck().get()).toBe(
      'CREATE TABLE t (\n        a TEXT\n    , is_demo INTEGER NOT NULL DEFAULT 0)',
    );
  });

  it('does nothing when the column exists or the table is missing', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (a TEXT, is_demo INTEGER)');
    expect(addColumnIfMissing(db, 't', 'is_demo', 'is_demo INTEGER NOT NULL DEFAULT 0')).toBe(false);
    expect(addColumnIfMissing(db, 'missing', 'is_demo', 'is_demo INTEGER')).toBe(false);
    expect(tableExists(db, 'missing')).toBe(false);
    expect(tableColumns(db, 'missing')).toEqual([]);
  });

  it('handles table names that need quoting', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE ${quoteIdentifier('we"ird table')} (a TEXT)`);
    expect(addColumnIfMissing(db, 'we"ird table', 'b', 'b TEXT')).toBe(true);
    expect(tableColumns(db, 'we"ird table')).toEqual(['a', 'b']);
  });
});
