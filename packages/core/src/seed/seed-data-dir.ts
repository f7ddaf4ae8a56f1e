/**
 * Seeds a DOCSight data directory with generated rows: DOCSight's demo mode (`mode: 'demo'`, every
 * row `is_demo=1`, 270 days, a ~240 MB `docsis_history.db`) or a real-looking install
 * (`mode: 'user'`, `is_demo=0`, any number of months, snapshots carrying `raw_json`). Output is
 * deterministic for a given `seed`, options and `now`. Only the two databases are written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONNECTION_MONITOR_DB, HISTORY_DB } from '../data-dir-layout.ts';
import { LockerError } from '../errors.ts';
import { createPrng } from './prng.ts';
import { planSeed, type SeedOptions } from './seed-plan.ts';
import { seedConnectionMonitorDatabase } from './seed-connection-monitor-database.ts';
import { seedHistoryDatabase } from './seed-history-database.ts';

export interface SeedSummary {
  mode: 'demo' | 'user';
  seed: number;
  historyDays: number;
  /** First and last moment of the history (UTC `YYYY-MM-DDTHH:MM:SSZ`). */
  from: string;
  to: string;
  rows: { [HISTORY_DB]: Record<string, number>; [CONNECTION_MONITOR_DB]: Record<string, number> };
  /** Bytes per database file after the final checkpoint. */
  files: { [HISTORY_DB]: number; [CONNECTION_MONITOR_DB]: number };
  seconds: number;
}

/**
 * Creates `docsis_history.db` and `connection_monitor.db` in `dataDir` (migrated to DOCSight's
 * schema, WAL mode) and fills them. Refuses a directory that already holds either database, so it
 * can never add generated rows to someone's real data.
 */
export function seedDataDir(options: SeedOptions): SeedSummary {
  const started = performance.now();
  const plan = planSeed(options);
  fs.mkdirSync(plan.dataDir, { recursive: true });
  for (const name of [HISTORY_DB, CONNECTION_MONITOR_DB]) {
    if (fs.existsSync(path.join(plan.dataDir, name))) {
      throw new LockerError('INVALID_ARGUMENT', `${plan.dataDir} already holds ${name}; seed into an empty directory.`, {
        details: { dataDir: plan.dataDir, file: name },
      });
    }
  }
  const prng = createPrng(plan.seed);
  let history: Record<string, number>;
  let connectionMonitor: Record<string, number>;
  try {
    history = seedHistoryDatabase(plan, prng.fork('history'));
    connectionMonitor = seedConnectionMonitorDatabase(plan, prng.fork('connection-monitor'));
  } catch (error) {
    // A half-seeded directory would be refused by the next run; leave it as it was.
    for (const name of [HISTORY_DB, CONNECTION_MONITOR_DB]) {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(plan.dataDir, name + suffix), { force: true });
    }
    throw error;
  }
  const size = (name: string) => fs.statSync(path.join(plan.dataDir, name)).size;
  return {
    mode: plan.demo ? 'demo' : 'user',
    seed: plan.seed,
    historyDays: plan.historyDays,
    from: new Date(plan.startMs).toISOString().slice(0, 19) + 'Z',
    to: new Date(plan.nowMs).toISOString().slice(0, 19) + 'Z',
    rows: { [HISTORY_DB]: history, [CONNECTION_MONITOR_DB]: connectionMonitor },
    files: { [HISTORY_DB]: size(HISTORY_DB), [CONNECTION_MONITOR_DB]: size(CONNECTION_MONITOR_DB) },
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
