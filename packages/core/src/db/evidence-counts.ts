/**
 * What a DOCSight data directory holds, in the kinds a person collected rather than in SQLite's
 * tables: signal snapshots, speed tests, modem events, journal entries, incidents and so on. One
 * home for which table stands for which kind (the tables are DOCSight's, db/schema-ddl.ts); the
 * dashboard and the restore preview both say it in words, and show the table names only under
 * "Details". Tables that hold no evidence (migrations, meta, tokens, push subscriptions, device
 * state, aggregates) have no kind.
 */
import { z } from 'zod';

/** Kind of evidence → the table it is counted from, and in which database. */
export const EVIDENCE_TABLES = {
  signalSnapshots: { database: 'history', table: 'snapshots' },
  speedTests: { database: 'history', table: 'speedtest_results' },
  modemEvents: { database: 'history', table: 'events' },
  journalEntries: { database: 'history', table: 'journal_entries' },
  incidents: { database: 'history', table: 'incidents' },
  journalAttachments: { database: 'history', table: 'journal_attachments' },
  broadbandMeasurements: { database: 'history', table: 'bnetz_measurements' },
  bqmGraphs: { database: 'history', table: 'bqm_graphs' },
  weatherReadings: { database: 'history', table: 'weather_data' },
  connectionSamples: { database: 'connectionMonitor', table: 'connection_samples' },
  traceroutes: { database: 'connectionMonitor', table: 'traceroute_traces' },
} as const satisfies Record<string, { database: 'history' | 'connectionMonitor'; table: string }>;

/** The kinds, in the order a summary names them. */
export type EvidenceKind = keyof typeof EVIDENCE_TABLES;
export const EVIDENCE_KINDS = Object.keys(EVIDENCE_TABLES) as EvidenceKind[];

const count = z.number().int().nonnegative();

/** How many of each kind; 0 when the table is missing (an older DOCSight, or no such database). */
export const EvidenceCountsSchema = z.object({
  signalSnapshots: count,
  speedTests: count,
  modemEvents: count,
  journalEntries: count,
  incidents: count,
  journalAttachments: count,
  broadbandMeasurements: count,
  bqmGraphs: count,
  weatherReadings: count,
  connectionSamples: count,
  traceroutes: count,
}) satisfies z.ZodType<Record<EvidenceKind, number>>;
export type EvidenceCounts = z.infer<typeof EvidenceCountsSchema>;

/**
 * The evidence counts of a data directory (or an archive's meta) from its row counts per table:
 * `history` for docsis_history.db, `connectionMonitor` for connection_monitor.db (null or
 * undefined when that database is absent).
 */
export function evidenceCounts(
  history: Readonly<Record<string, number>> | null | undefined,
  connectionMonitor: Readonly<Record<string, number>> | null | undefined,
): EvidenceCounts {
  const counts = {} as EvidenceCounts;
  for (const kind of EVIDENCE_KINDS) {
    const { database, table } = EVIDENCE_TABLES[kind];
    const tables = database === 'history' ? history : connectionMonitor;
    const rows = tables && Object.hasOwn(tables, table) ? tables[table] : undefined;
    counts[kind] = typeof rows === 'number' && Number.isSafeInteger(rows) && rows > 0 ? rows : 0;
  }
  return counts;
}
