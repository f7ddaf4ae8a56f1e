/**
 * Fills `connection_monitor.db` for a seed plan: three targets, 10-second samples (inserted in
 * batches) and five traceroutes with their hops. Targets and traces carry the demo flag; samples
 * and hops have none (they cascade from their parent).
 */
import path from 'node:path';
import { openConnectionMonitorDatabase } from '../db/open-database.ts';
import { CONNECTION_MONITOR_DB } from '../data-dir-layout.ts';
import { connectionTargets, generateSamples, generateTraces, SAMPLES_PER_DAY } from './connection-monitor-rows.ts';
import { insertInTransactions } from './insert-in-transactions.ts';
import type { Prng } from './prng.ts';
import type { SeedPlan } from './seed-plan.ts';

const SAMPLE_BATCH = 30_000;

/** Inserts every Connection Monitor table; returns the row count per table written. */
export function seedConnectionMonitorDatabase(plan: SeedPlan, prng: Prng): Record<string, number> {
  const db = openConnectionMonitorDatabase(path.join(plan.dataDir, CONNECTION_MONITOR_DB));
  try {
    db.pragma('synchronous = OFF');
    const isDemo = plan.demo ? 1 : 0;
    const nowS = plan.nowMs / 1000;
    // Demo targets appear when demo mode starts; a user's were configured when monitoring began.
    const created = (plan.demo ? nowS : plan.startMs / 1000) + prng.int(0, 999_999) / 1e6;
    const insertTarget = db.prepare(
      "INSERT INTO connection_targets (label, host, enabled, poll_interval_ms, probe_method, tcp_port, is_demo, created_at) VALUES (?, ?, 1, 5000, 'auto', 443, ?, ?)",
    );
    const targetIds = db.transaction(() =>
      connectionTargets(created).map((t) => Number(insertTarget.run(t.label, t.host, isDemo, t.created_at).lastInsertRowid)),
    )();

    const insertSample = db.prepare(
      'INSERT INTO connection_samples (target_id, timestamp, latency_ms, timeout, probe_method) VALUES (?, ?, ?, ?, ?)',
    );
    const total = Math.round(plan.connectionMonitorDays * SAMPLES_PER_DAY) * targetIds.length;
    const samples = insertInTransactions(
      db,
      generateSamples(prng.fork('samples'), nowS, plan.connectionMonitorDays),
      (s) => insertSample.run(targetIds[s.target - 1], s.timestamp, s.latency_ms, s.timeout, 'tcp'),
      SAMPLE_BATCH,
      (done) => plan.onProgress({ phase: 'connection-samples', done, total }),
    );

    const traces = generateTraces(prng.fork('traces'), nowS, Math.max(plan.connectionMonitorDays, 1));
    const insertTrace = db.prepare(
      'INSERT INTO traceroute_traces (target_id, timestamp, trigger_reason, hop_count, route_fingerprint, reached_target, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const insertHop = db.prepare(
      'INSERT INTO traceroute_hops (trace_id, hop_index, hop_ip, hop_host, latency_ms, probes_responded) VALUES (?, ?, ?, ?, ?, ?)',
    );
    let hops = 0;
    db.transaction(() => {
      for (const t of traces) {
        const traceId = insertTrace.run(
          targetIds[t.target - 1],
          t.timestamp,
          t.trigger_reason,
          t.hop_count,
          t.route_fingerprint,
          t.reached_target,
          isDemo,
        ).lastInsertRowid;
        for (const h of t.hops) insertHop.run(traceId, h.hop_index, h.hop_ip, h.hop_host, h.latency_ms, h.probes_responded);
        hops += t.hops.length;
      }
    })();
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { connection_targets: targetIds.length, connection_samples: samples, traceroute_traces: traces.length, traceroute_hops: hops };
  } finally {
    db.close();
  }
}
