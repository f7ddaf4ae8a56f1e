import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { countRows, countRowsDetailed } from './table-counts.ts';

function sampleDb(): Database.Database {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE zeta (id INTEGER PRIMARY KEY AUTOINCREMENT, is_demo INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE alpha (id INTEGER PRIMARY KEY);
    CREATE TABLE "odd ""name""" (x TEXT);
    INSERT INTO zeta (is_demo) VALUES (1), (0), (1);
    INSERT INTO alpha VALUES (1);`);
  return db;
}

describe('table counts', () => {
  it('counts every table in creation order and skips sqlite_ internals', () => {
    const counts = countRows(sampleDb());
    expect(Object.keys(counts)).toEqual(['zeta', 'alpha', 'odd "name"']);
    expect(counts).toEqual({ zeta: 3, alpha: 1, 'odd "name"': 0 });
  });

  it('reports is_demo counts only for tables that have the column', () => {
    expect(countRowsDetailed(sampleDb())).toEqual({
      zeta: { rows: 3, isDemo: 2 },
      alpha: { rows: 1, isDemo: null },
      'odd "name"': { rows: 0, isDemo: null },
    });
  });
});
