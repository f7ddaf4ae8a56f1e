/**
 * Fills `docsis_history.db` for a seed plan: snapshots (generated and inserted in batches, so
 * memory stays flat however long the history), then the events the detector saw, journal and
 * incidents, speed tests, BQM graphs, BNetzA campaigns and weather. Each table is written with one
 * prepared statement inside large transactions; `synchronous=OFF` only while seeding.
 */
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { openHistoryDatabase } from '../db/open-database.ts';
import { HISTORY_DB } from '../data-dir-layout.ts';
import { drawBqmGraph } from './bqm-graph.ts';
import { generateBnetzMeasurements } from './bnetz-rows.ts';
import { createEventDetector } from './event-rows.ts';
import { generateJournal } from './journal-rows.ts';
import { planModemTimeline } from './modem-timeline.ts';
import type { Prng } from './prng.ts';
import type { SeedPlan } from './seed-plan.ts';
import { insertInTransactions } from './insert-in-transactions.ts';
import { generateSnapshotRows } from './snapshot-rows.ts';
import { generateSpeedtests } from './speedtest-rows.ts';
import { DAY_MS, formatUtcDate, formatUtcTimestamp, startOfUtcDay } from './utc-time.ts';
import { generateWeather } from './weather-rows.ts';

const SNAPSHOT_BATCH = 2000;
const BQM_BATCH = 100;

/** Inserts every history table; returns the row count per table written. */
export function seedHistoryDatabase(plan: SeedPlan, prng: Prng): Record<string, number> {
  const db = openHistoryDatabase(path.join(plan.dataDir, HISTORY_DB), { utcMigratedTimezone: 'UTC' });
  try {
    db.pragma('synchronous = OFF');
    const counts = insertAll(db, plan, prng);
    db.pragma('synchronous = NORMAL');
    plan.onProgress({ phase: 'checkpoint', done: 0, total: 1 });
    db.pragma('wal_checkpoint(TRUNCATE)');
    plan.onProgress({ phase: 'checkpoint', done: 1, total: 1 });
    return counts;
  } finally {
    db.close();
  }
}

function insertAll(db: Database, plan: SeedPlan, prng: Prng): Record<string, number> {
  const isDemo = plan.demo ? 1 : 0;
  const timeline = planModemTimeline(prng.fork('timeline'), plan.startMs, plan.polls);
  const detector = createEventDetector(timeline);

  const insertSnapshot = db.prepare(
    'INSERT INTO snapshots (timestamp, summary_json, ds_channels_json, us_channels_json, raw_json, analysis_meta_json, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  // DOCSight's demo rows carry no raw modem answer; a modem collector stores it with every poll.
  const snapshots = generateSnapshotRows(prng.fork('snapshots'), timeline, !plan.demo, detector.observe);
  const done = insertInTransactions(
    db,
    snapshots,
    (r) =>
      insertSnapshot.run(r.timestamp, r.summary_json, r.ds_channels_json, r.us_channels_json, r.raw_json, r.analysis_meta_json, isDemo),
    SNAPSHOT_BATCH,
    (rows) => plan.onProgress({ phase: 'snapshots', done: rows, total: plan.polls }),
  );

  const counts: Record<string, number> = { snapshots: done };
  db.transaction(() => {
    const event = db.prepare(
      'INSERT INTO events (timestamp, severity, event_type, message, details, acknowledged, is_demo) VALUES (?, ?, ?, ?, ?, 0, ?)',
    );
    for (const e of detector.events) event.run(e.timestamp, e.severity, e.event_type, e.message, e.details, isDemo);
    counts.events = detector.events.length;

    const journal = generateJournal(prng.fork('journal'), plan.startMs, plan.nowMs, plan.journalEntries, plan.incidents);
    const incident = db.prepare(
      'INSERT INTO incidents (name, description, status, start_date, end_date, icon, created_at, updated_at, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const incidentIds = journal.incidents.map((i) =>
      Number(
        incident.run(i.name, i.description, i.status, i.start_date, i.end_date, i.icon, i.created_at, i.updated_at, isDemo).lastInsertRowid,
      ),
    );
    const entry = db.prepare(
      'INSERT INTO journal_entries (date, title, description, icon, incident_id, created_at, updated_at, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const j of journal.entries) {
      const incidentId = j.incident_index === null ? null : incidentIds[j.incident_index - 1];
      entry.run(j.date, j.title, j.description, j.icon, incidentId, j.created_at, j.updated_at, isDemo);
    }
    counts.incidents = journal.incidents.length;
    counts.journal_entries = journal.entries.length;

    const speedtests = generateSpeedtests(prng.fork('speedtests'), timeline, plan.nowMs);
    const speedtest = db.prepare(
      'INSERT INTO speedtest_results (id, timestamp, download_mbps, upload_mbps, download_human, upload_human, ping_ms, jitter_ms, packet_loss_pct, server_id, server_name, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const s of speedtests) {
      speedtest.run(
        s.id,
        s.timestamp,
        s.download_mbps,
        s.upload_mbps,
        s.download_human,
        s.upload_human,
        s.ping_ms,
        s.jitter_ms,
        s.packet_loss_pct,
        s.server_id,
        s.server_name,
        isDemo,
      );
    }
    counts.speedtest_results = speedtests.length;

    const bnetz = generateBnetzMeasurements(prng.fork('bnetz'), plan.startMs, plan.nowMs, plan.bnetzCampaigns);
    const measurement = db.prepare(
      'INSERT INTO bnetz_measurements (date, timestamp, provider, tariff, download_max_tariff, download_normal_tariff, download_min_tariff, upload_max_tariff, upload_normal_tariff, upload_min_tariff, download_measured_avg, upload_measured_avg, measurement_count, verdict_download, verdict_upload, measurements_json, pdf_blob, source, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)',
    );
    for (const b of bnetz) {
      measurement.run(
        b.date,
        b.timestamp,
        b.provider,
        b.tariff,
        b.download_max_tariff,
        b.download_normal_tariff,
        b.download_min_tariff,
        b.upload_max_tariff,
        b.upload_normal_tariff,
        b.upload_min_tariff,
        b.download_measured_avg,
        b.upload_measured_avg,
        b.measurement_count,
        b.verdict_download,
        b.verdict_upload,
        b.measurements_json,
        b.source,
        isDemo,
      );
    }
    counts.bnetz_measurements = bnetz.length;

    const weather = generateWeather(prng.fork('weather'), plan.startMs, plan.nowMs, plan.demo);
    const weatherRow = db.prepare('INSERT INTO weather_data (timestamp, temperature, is_demo) VALUES (?, ?, ?)');
    for (const w of weather) weatherRow.run(w.timestamp, w.temperature, isDemo);
    counts.weather_data = weather.length;
  })();
  plan.onProgress({ phase: 'history-tables', done: 1, total: 2 });

  counts.bqm_graphs = insertBqmGraphs(db, plan, prng.fork('bqm'), timeline.degradations.length / Math.max(1, plan.historyDays));
  plan.onProgress({ phase: 'history-tables', done: 2, total: 2 });
  return counts;
}

/**
 * One graph per day: DOCSight's demo keeps the last 30 days newest first; a user's BQM collector
 * has added one a day, oldest first. The row's time of day is the seeding moment's, as in DOCSight.
 */
function insertBqmGraphs(db: Database, plan: SeedPlan, prng: Prng, busyness: number): number {
  const today = startOfUtcDay(plan.nowMs);
  const timeOfDay = plan.nowMs - today;
  const days = Array.from({ length: plan.bqmDays }, (_, i) => today - i * DAY_MS);
  if (!plan.demo) days.reverse();
  const insert = db.prepare('INSERT INTO bqm_graphs (date, timestamp, image_blob, is_demo) VALUES (?, ?, ?, ?)');
  const insertBatch = db.transaction((batch: number[]) => {
    for (const day of batch) {
      const busy = Math.min(1, prng.range(0, 0.6) + busyness * 5 * prng.next());
      insert.run(formatUtcDate(day), formatUtcTimestamp(day + timeOfDay), drawBqmGraph(prng, busy), plan.demo ? 1 : 0);
    }
  });
  for (let i = 0; i < days.length; i += BQM_BATCH) insertBatch(days.slice(i, i + BQM_BATCH));
  return days.length;
}
