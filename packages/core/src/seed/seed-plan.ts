/**
 * What a seed run will write, derived from its options: the history window and the volume of each
 * table. Demo mode follows DOCSight's `_seed_demo_data()` (270 days, 12 journal entries,
 * 3 incidents, 30 BQM graphs, 9 BNetzA campaigns, 7 days of Connection Monitor samples); user mode
 * scales the same story with the number of months (30.4 days each), like an install that has been
 * polling a modem for that long.
 */
import { z } from 'zod';
import { LockerError } from '../errors.ts';
import { POLL_MS } from './modem-timeline.ts';

export const DEMO_HISTORY_DAYS = 270;
export const DEMO_BQM_DAYS = 30;
export const DEMO_BNETZ_CAMPAIGNS = 9;
export const DEMO_CONNECTION_MONITOR_DAYS = 7;
export const DAYS_PER_MONTH = 30.4;
/** User mode's history length when `months` is not given. */
export const DEFAULT_USER_MONTHS = 9;

/** Progress of a seed run, reported per batch. */
export interface SeedProgress {
  phase: 'snapshots' | 'history-tables' | 'connection-samples' | 'checkpoint';
  done: number;
  total: number;
}

export const SeedOptionsSchema = z.object({
  /** Directory to fill; created if missing. It must not hold either database yet. */
  dataDir: z.string().min(1),
  /** `demo`: every row `is_demo=1`, DOCSight's demo volumes. `user`: `is_demo=0`, sized by `months`. */
  mode: z.enum(['demo', 'user']),
  /** User mode: months of history (default 9). Ignored in demo mode. */
  months: z.number().positive().max(600).optional(),
  /** Overrides the history length in days in either mode (tests use a shortened demo). */
  historyDays: z.number().positive().max(20_000).optional(),
  /** Days of 10-second Connection Monitor samples (default 7, at most the history length). */
  connectionMonitorDays: z.number().min(0).max(366).optional(),
  /** The moment the data dir is seeded "at" (default: now). The history ends here. */
  now: z.date().optional(),
  /** PRNG seed; the same seed, options and `now` give the same rows (default 1). */
  seed: z.number().int().optional(),
  onProgress: z.custom<(progress: SeedProgress) => void>((v) => typeof v === 'function').optional(),
});
export type SeedOptions = z.input<typeof SeedOptionsSchema>;

export interface SeedPlan {
  dataDir: string;
  demo: boolean;
  seed: number;
  nowMs: number;
  startMs: number;
  historyDays: number;
  polls: number;
  journalEntries: number;
  incidents: number;
  bqmDays: number;
  bnetzCampaigns: number;
  connectionMonitorDays: number;
  onProgress: (progress: SeedProgress) => void;
}

/** Validates options and works out the window and volumes. */
export function planSeed(options: SeedOptions): SeedPlan {
  const parsed = SeedOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new LockerError('INVALID_ARGUMENT', `Invalid seed options: ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  }
  const o = parsed.data;
  const demo = o.mode === 'demo';
  const historyDays = o.historyDays ?? (demo ? DEMO_HISTORY_DAYS : (o.months ?? DEFAULT_USER_MONTHS) * DAYS_PER_MONTH);
  // Whole seconds: DOCSight's timestamps carry no fraction.
  const nowMs = Math.floor((o.now ?? new Date()).getTime() / 1000) * 1000;
  const scale = historyDays / DEMO_HISTORY_DAYS;
  const polls = Math.round(historyDays * 96);
  return {
    dataDir: o.dataDir,
    demo,
    seed: o.seed ?? 1,
    nowMs,
    // The poll grid ends one interval before `now`, as a collector's last poll does.
    startMs: nowMs - polls * POLL_MS,
    historyDays,
    polls,
    journalEntries: demo ? 12 : Math.max(3, Math.round(12 * scale)),
    incidents: demo ? 3 : Math.max(1, Math.round(3 * scale)),
    bqmDays: Math.max(1, Math.min(Math.floor(historyDays), demo ? DEMO_BQM_DAYS : Infinity)),
    bnetzCampaigns: demo ? DEMO_BNETZ_CAMPAIGNS : Math.max(1, Math.round(historyDays / 30)),
    connectionMonitorDays: Math.min(o.connectionMonitorDays ?? DEMO_CONNECTION_MONITOR_DAYS, historyDays),
    onProgress: o.onProgress ?? (() => {}),
  };
}
