/**
 * DOCSight's migration runner (`run_migrations`, `app/storage/migrations.py`):
 * 1. fast path: if `_docsight_migrations` exists and records every id of the group, do nothing;
 * 2. create the registry in its own IMMEDIATE transaction;
 * 3. per migration, one IMMEDIATE transaction: skip if recorded; else run `apply` unless the
 *    shape probe `isApplied` says the database already has that shape; then record the id with a
 *    Python-style UTC `isoformat()` timestamp.
 * A failing migration rolls back only its own step; earlier steps stay recorded, like DOCSight.
 */
import type { Database } from 'better-sqlite3';
import { MIGRATION_REGISTRY_DDL } from './schema-ddl.ts';
import { pythonUtcNow } from './python-utc-isoformat.ts';
import { tableExists } from './table-shape.ts';

/** One DOCSight migration: a stable id, the change, and a probe for "already has this shape". */
export interface Migration {
  readonly id: string;
  readonly apply: (db: Database) => void;
  readonly isApplied: (db: Database) => boolean;
}

/** Ids recorded in `_docsight_migrations`, in insertion order; empty when there is no registry. */
export function recordedMigrationIds(db: Database): string[] {
  if (!tableExists(db, '_docsight_migrations')) return [];
  const rows = db.prepare('SELECT id FROM _docsight_migrations ORDER BY rowid').all() as { id: string }[];
  return rows.map((row) => row.id);
}

/**
 * Applies or shape-stamps `migrations` in order and returns the ids it newly recorded.
 * `now` supplies `applied_at` (default: the current time in Python's `isoformat()`).
 */
export function runMigrations(db: Database, migrations: readonly Migration[], now: () => string = pythonUtcNow): string[] {
  if (migrations.length === 0) return [];
  const recorded = new Set(recordedMigrationIds(db));
  if (migrations.every((migration) => recorded.has(migration.id))) return [];

  db.transaction(() => db.exec(MIGRATION_REGISTRY_DDL)).immediate();
  const isRecorded = db.prepare('SELECT 1 FROM _docsight_migrations WHERE id=?');
  const record = db.prepare('INSERT INTO _docsight_migrations (id, applied_at) VALUES (?, ?)');
  const newlyRecorded: string[] = [];
  for (const migration of migrations) {
    db.transaction(() => {
      if (isRecorded.get(migration.id) !== undefined) return;
      if (!migration.isApplied(db)) migration.apply(db);
      record.run(migration.id, now());
      newlyRecorded.push(migration.id);
    }).immediate();
  }
  return newlyRecorded;
}
