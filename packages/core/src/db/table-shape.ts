/**
 * Shape probes DOCSight's migrations use (`table_exists`, `table_columns`, `add_column_if_missing`
 * in `app/storage/migrations.py`). They look at what a table really has, never at a version number,
 * so databases of any age converge on the same shape.
 */
import type { Database } from 'better-sqlite3';

/** Double-quotes an SQLite identifier, doubling embedded quotes. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** True when a table (not a view or index) called `table` exists. */
export function tableExists(db: Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?").get(table) !== undefined;
}

/** Column names of `table` in declaration order; empty when the table does not exist. */
export function tableColumns(db: Database, table: string): string[] {
  if (!tableExists(db, table)) return [];
  const rows = db.prepare(`PRAGMA table_info(${quoteIdentifier(table)})`).all() as { name: string }[];
  return rows.map((row) => row.name);
}

/**
 * Runs `ALTER TABLE "<table>" ADD COLUMN <declaration>` when the table exists and lacks `column`.
 * SQLite splices `, <declaration>` in front of the stored DDL's closing parenthesis, which is why
 * upgraded tables end in `\n    , is_demo INTEGER NOT NULL DEFAULT 0)`. Returns true if it added it.
 */
export function addColumnIfMissing(db: Database, table: string, column: string, declaration: string): boolean {
  if (!tableExists(db, table) || tableColumns(db, table).includes(column)) return false;
  db.exec(`ALTER TABLE ${quoteIdentifier(table)} ADD COLUMN ${declaration}`);
  return true;
}

/** Executes schema statements one by one, as DOCSight's `execute_schema` does. */
export function executeSchema(db: Database, statements: readonly string[]): void {
  for (const statement of statements) db.exec(statement);
}
