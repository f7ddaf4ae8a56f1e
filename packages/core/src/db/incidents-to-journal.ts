/**
 * `core-0002-incidents-to-journal`: very old DOCSight databases kept the journal in a table called
 * `incidents` (id, date, title, description, created_at, updated_at) with attachments in
 * `incident_attachments`. This migration renames it to `journal_entries`, moves attachments whose
 * entry exists into `journal_attachments` (dropping the legacy table only when no orphan is left)
 * and adds `incident_id` and `icon`. A "hybrid" database (legacy `incidents` *and*
 * `journal_entries`) and unknown `incidents` shapes are left exactly as they are.
 */
import type { Database } from 'better-sqlite3';
import { LEGACY_JOURNAL_ATTACHMENTS_DDL } from './schema-ddl.ts';
import { addColumnIfMissing, tableColumns, tableExists } from './table-shape.ts';
import type { Migration } from './migration-runner.ts';

const LEGACY_INCIDENT_COLUMNS = ['id', 'date', 'title', 'description', 'created_at', 'updated_at'];
const LEGACY_ATTACHMENT_COLUMNS = ['id', 'incident_id', 'filename', 'mime_type', 'data', 'created_at'];

function hasAll(columns: readonly string[], required: readonly string[]): boolean {
  return required.every((column) => columns.includes(column));
}

/** Shape probe: true unless a complete legacy `incidents` table waits to be renamed. */
function incidentsMigrationApplied(db: Database): boolean {
  const columns = tableColumns(db, 'incidents');
  if (!columns.includes('title')) return true;
  if (tableExists(db, 'journal_entries')) return true; // hybrid: preserved unchanged
  return !hasAll(columns, LEGACY_INCIDENT_COLUMNS); // unknown shape: preserved unchanged
}

function applyIncidentsMigration(db: Database): void {
  if (!hasAll(tableColumns(db, 'incidents'), LEGACY_INCIDENT_COLUMNS)) return;
  if (tableExists(db, 'journal_entries')) return;
  db.exec('ALTER TABLE incidents RENAME TO journal_entries');
  db.exec(LEGACY_JOURNAL_ATTACHMENTS_DDL);
  if (tableExists(db, 'incident_attachments') && hasAll(tableColumns(db, 'incident_attachments'), LEGACY_ATTACHMENT_COLUMNS)) {
    const { orphans } = db
      .prepare(
        `SELECT COUNT(*) AS orphans
         FROM incident_attachments AS attachment
         LEFT JOIN journal_entries AS entry ON entry.id = attachment.incident_id
         WHERE entry.id IS NULL`,
      )
      .get() as { orphans: number };
    db.exec(
      `INSERT INTO journal_attachments (id, entry_id, filename, mime_type, data, created_at)
       SELECT id, incident_id, filename, mime_type, data, created_at
       FROM incident_attachments
       WHERE incident_id IN (SELECT id FROM journal_entries)`,
    );
    // Orphaned attachments have nowhere to go; keeping the legacy table keeps them recoverable.
    if (orphans === 0) db.exec('DROP TABLE incident_attachments');
  }
  addColumnIfMissing(db, 'journal_entries', 'incident_id', 'incident_id INTEGER');
  addColumnIfMissing(db, 'journal_entries', 'icon', 'icon TEXT');
}

/** The `core-0002-incidents-to-journal` migration. */
export const INCIDENTS_TO_JOURNAL_MIGRATION: Migration = {
  id: 'core-0002-incidents-to-journal',
  apply: applyIncidentsMigration,
  isApplied: incidentsMigrationApplied,
};
