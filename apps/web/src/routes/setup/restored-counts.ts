/**
 * What a restored backup holds, in a person's words, for the wizard's finish step: the row counts
 * its backup_meta.json recorded for the tables people know (signal snapshots, modem events, speed
 * tests, journal entries, connection samples), largest meaning first; tables it does not list, or
 * that are empty, are left out.
 */
import type { RestoreOutcome } from '../../api/server-types.ts';

/** One line: the catalog key (its text takes `{count}`) and the rows. */
export interface RestoredCount {
  key: string;
  rows: number;
}

const HISTORY_TABLES: [table: string, key: string][] = [
  ['snapshots', 'restored.counts.snapshots'],
  ['events', 'restored.counts.events'],
  ['speedtest_results', 'restored.counts.speedTests'],
  ['journal_entries', 'restored.counts.journal'],
];
const MONITOR_TABLES: [table: string, key: string][] = [['connection_samples', 'restored.counts.connectionSamples']];

function rowsOf(tables: unknown, table: string): number {
  if (typeof tables !== 'object' || tables === null) return 0;
  const rows = (tables as Record<string, unknown>)[table];
  return typeof rows === 'number' && Number.isFinite(rows) ? rows : 0;
}

/** The counts worth naming from the restored archive's meta. */
export function restoredCounts(meta: RestoreOutcome['meta']): RestoredCount[] {
  const lines: RestoredCount[] = [];
  for (const [table, key] of HISTORY_TABLES) lines.push({ key, rows: rowsOf(meta['tables'], table) });
  for (const [table, key] of MONITOR_TABLES) lines.push({ key, rows: rowsOf(meta['connection_monitor_tables'], table) });
  return lines.filter((line) => line.rows > 0);
}
