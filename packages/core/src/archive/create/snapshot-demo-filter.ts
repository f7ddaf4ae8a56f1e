/**
 * Removes DOCSight demo rows from a database copy, with the care of DOCSight's own demo purge
 * (`purge_demo_data` plus the Connection Monitor purge on demo exit) rather than its backup filter,
 * which misses `weather_data`, the Connection Monitor and the incident links:
 *
 * 1. attachments of demo journal entries go first (they have no flag of their own);
 * 2. journal entries that point at a demo incident are unassigned, not deleted;
 * 3. samples, aggregates and traceroutes of demo targets, and hops of demo traceroutes, are deleted
 *    explicitly (the foreign keys cascade too, but only when a connection enables them);
 * 4. every table that has an `is_demo` column loses its `is_demo = 1` rows, so tables added by
 *    later DOCSight versions or community modules are covered without a list.
 *
 * Runs synchronously inside one transaction; callers run it in a worker thread.
 */
import type Database from 'better-sqlite3';

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function columnsOf(db: Database.Database, table: string): Set<string> {
  const rows = db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[];
  return new Set(rows.map((row) => row.name));
}

function tableNames(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' ORDER BY rowid")
    .all() as { name: string }[];
  return rows.map((row) => row.name);
}

/**
 * Whether removeDemoRows would remove anything: every row it deletes is, or belongs to, a row with
 * `is_demo = 1` in some table (attachments of demo entries, samples of demo targets, hops of demo
 * traces), so without such a row there is nothing to remove. Each table stops at its first hit.
 */
export function hasDemoRows(db: Database.Database): boolean {
  return tableNames(db)
    .filter((table) => columnsOf(db, table).has('is_demo'))
    .some(
      (table) =>
        db
          .prepare(`SELECT EXISTS (SELECT 1 FROM ${quote(table)} WHERE is_demo = 1)`)
          .pluck()
          .get() === 1,
    );
}

/** Deletes demo rows from `db` in one transaction and returns how many rows were deleted. */
export function removeDemoRows(db: Database.Database): number {
  const columns = new Map(tableNames(db).map((name) => [name, columnsOf(db, name)]));
  const has = (table: string, ...cols: string[]): boolean => {
    const set = columns.get(table);
    return set !== undefined && cols.every((col) => set.has(col));
  };
  const demoTables = [...columns.keys()].filter((name) => has(name, 'is_demo'));
  if (demoTables.length === 0) return 0;

  let removed = 0;
  const run = (sql: string): void => {
    removed += db.prepare(sql).run().changes;
  };
  db.transaction(() => {
    if (has('journal_attachments', 'entry_id') && has('journal_entries', 'id', 'is_demo')) {
      run('DELETE FROM journal_attachments WHERE entry_id IN (SELECT id FROM journal_entries WHERE is_demo = 1)');
    }
    if (has('journal_entries', 'incident_id') && has('incidents', 'id', 'is_demo')) {
      db.prepare('UPDATE journal_entries SET incident_id = NULL WHERE incident_id IN (SELECT id FROM incidents WHERE is_demo = 1)').run();
    }
    if (has('connection_targets', 'id', 'is_demo')) {
      const demoTargets = 'SELECT id FROM connection_targets WHERE is_demo = 1';
      if (has('traceroute_traces', 'id', 'target_id') && has('traceroute_hops', 'trace_id')) {
        const demoTraces = `SELECT id FROM traceroute_traces WHERE target_id IN (${demoTargets})${
          has('traceroute_traces', 'is_demo') ? ' OR is_demo = 1' : ''
        }`;
        run(`DELETE FROM traceroute_hops WHERE trace_id IN (${demoTraces})`);
      }
      if (has('traceroute_traces', 'target_id')) run(`DELETE FROM traceroute_traces WHERE target_id IN (${demoTargets})`);
      for (const table of ['connection_samples', 'connection_samples_aggregated']) {
        if (has(table, 'target_id')) run(`DELETE FROM ${table} WHERE target_id IN (${demoTargets})`);
      }
    } else if (has('traceroute_traces', 'id', 'is_demo') && has('traceroute_hops', 'trace_id')) {
      run('DELETE FROM traceroute_hops WHERE trace_id IN (SELECT id FROM traceroute_traces WHERE is_demo = 1)');
    }
    for (const table of demoTables) run(`DELETE FROM ${quote(table)} WHERE is_demo = 1`);
  })();
  return removed;
}
