/**
 * The evidence of a data directory or an archive as phrases a person reads ("77 speed tests"):
 * which kinds to name and in what order. The server counts the kinds (core's evidenceCounts); the
 * texts are the catalogs' `dashboard.evidence.<kind>`.
 */
import type { DashboardSummary } from '../api/server-types.ts';

/** How many of each kind of evidence (the same shape in dashboard.summary and in an archive's validation). */
export type EvidenceCounts = DashboardSummary['databases']['evidence'];
export type EvidenceKind = keyof EvidenceCounts;

/** The signal history's days with data and its first and last day, when known (the dashboard knows, an archive's meta does not). */
export interface HistorySpan {
  days: number;
  from: string;
  to: string;
}

/** One phrase: its catalog key under `dashboard.evidence`, the count that picks the plural, and facts it names. */
export interface EvidencePhrase {
  key: EvidenceKind | 'historyDays';
  count: number;
  named: Record<string, string>;
}

/** The order phrases come in; kinds not listed (none today) come last. */
const ORDER: readonly EvidenceKind[] = [
  'signalSnapshots',
  'speedTests',
  'modemEvents',
  'journalEntries',
  'incidents',
  'journalAttachments',
  'broadbandMeasurements',
  'bqmGraphs',
  'weatherReadings',
  'connectionSamples',
  'traceroutes',
];

/**
 * The phrases for `evidence`: every kind with at least one row, in ORDER. With a `span`, the
 * signal snapshots are told as days of history with their range instead of a count. Empty when
 * nothing was collected.
 */
export function evidencePhrases(evidence: EvidenceCounts, span: HistorySpan | null = null): EvidencePhrase[] {
  const kinds = [...ORDER, ...(Object.keys(evidence) as EvidenceKind[]).filter((kind) => !ORDER.includes(kind))];
  const phrases: EvidencePhrase[] = [];
  for (const kind of kinds) {
    const count = evidence[kind];
    if (!(count > 0)) continue;
    if (kind === 'signalSnapshots' && span !== null && span.days > 0) {
      phrases.push({ key: 'historyDays', count: span.days, named: { from: span.from, to: span.to } });
    } else {
      phrases.push({ key: kind, count, named: {} });
    }
  }
  return phrases;
}
