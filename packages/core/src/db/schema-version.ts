/**
 * What a DOCSight database says about its own schema: `_docsight_meta` (`schema_version`,
 * `tz_migrated`) and the ids in `_docsight_migrations`. Reading never changes the database.
 */
import type { Database } from 'better-sqlite3';
import { recordedMigrationIds } from './migration-runner.ts';
import { tableExists } from './table-shape.ts';

/** The schema facts of one database. */
export interface SchemaInfo {
  /** `_docsight_meta.schema_version` (`'2'` today), or null when absent. */
  readonly schemaVersion: string | null;
  /** `_docsight_meta.tz_migrated` (`'<IANA tz>|<UTC Z timestamp>'`), or null when absent. */
  readonly tzMigrated: string | null;
  /** Ids in `_docsight_migrations`, in the order they were recorded. */
  readonly migrationIds: string[];
}

/** One `_docsight_meta` value, or null when the table or key is absent. */
export function readDocsightMeta(db: Database, key: string): string | null {
  if (!tableExists(db, '_docsight_meta')) return null;
  const value = db.prepare('SELECT value FROM _docsight_meta WHERE key = ?').pluck().get(key);
  // A TEXT column; a hand-edited database may hold a number (read as its digits) or a BLOB (as UTF-8).
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  return Buffer.isBuffer(value) ? value.toString('utf8') : null;
}

/** `_docsight_meta.schema_version`, or null. */
export function readSchemaVersion(db: Database): string | null {
  return readDocsightMeta(db, 'schema_version');
}

/** Schema version, `tz_migrated` marker and recorded migration ids of `db`. */
export function readSchemaInfo(db: Database): SchemaInfo {
  return {
    schemaVersion: readSchemaVersion(db),
    tzMigrated: readDocsightMeta(db, 'tz_migrated'),
    migrationIds: recordedMigrationIds(db),
  };
}
