/**
 * One simulated day of DOCSight's writes into a data directory, for bench/chunk-reuse.bench.mjs:
 * what a day of polling does to the pages of docsis_history.db and connection_monitor.db, appended
 * where DOCSight appends, written the way DOCSight writes.
 *
 *   node bench/simulate-day.mjs --data-dir DIR [--day K]
 *
 * The data dir must hold a seeded history (`pnpm locker seed … --configured`). Timestamps continue
 * after the newest existing row; --day K (default 1) only varies the random stream and the history
 * day whose events are replayed, so consecutive simulated days differ.
 *
 *   docsis_history.db      288 polls, one every 5 minutes after the newest snapshot: each one
 *                          transaction holding a `snapshots` row (the row shape of the seeder and
 *                          of reliability's DOCSight stand-in: the newest row's JSON columns, error
 *                          counters moved on, DS powers jittered by 0.1 dB), `device_state`
 *                          upserted, and the day's events; the events are those of the K-th most
 *                          recent history day with two or more of them (a day the seeded modem had
 *                          trouble; the seeded history averages about 0.5 a day), each at its time of
 *                          day rounded up to the next poll;
 *   connection_monitor.db  a day of Connection Monitor samples at the seeder's rate (one every
 *                          10 s per target, SAMPLES_PER_DAY = 8640 ticks, each target of the
 *                          database, three when seeded), one transaction per tick, latencies
 *                          drawn like packages/core/src/seed/connection-monitor-rows.ts (evening
 *                          load, timeouts, spikes); no retention deletes (the seeder's 7 days
 *                          are kept, as DOCSight keeps them unless told otherwise).
 * Every transaction opens its own connection (busy_timeout 30000, foreign_keys ON), asserts
 * `journal_mode=WAL` and commits, as DOCSight's storage classes do; closing the connection
 * checkpoints the WAL into the main file, so the pages change in place as DOCSight changes them.
 *
 * Prints one JSON line: rows inserted per table, the time span written and the seconds it took.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

// better-sqlite3 is a dependency of packages/core (the root package has none).
const require = createRequire(new URL('../packages/core/package.json', import.meta.url));
const Database = require('better-sqlite3');

const POLLS = 288;
const POLL_MS = 5 * 60_000;
const SAMPLE_INTERVAL_S = 10;
const SAMPLES_PER_DAY = 86_400 / SAMPLE_INTERVAL_S;
/** label, base latency, evening extra: the seeder's three targets (connection-monitor-rows.ts). */
const TARGET_LATENCY = [
  [1.5, 0.3],
  [12.5, 6],
  [15.2, 6],
];

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, day: { type: 'string', default: '1' } } });
if (!values['data-dir']) throw new Error('--data-dir DIR is required');
const dataDir = path.resolve(values['data-dir']);
const day = Number(values.day);
if (!Number.isInteger(day) || day < 1) throw new Error('--day must be a whole number of at least 1');

/** mulberry32: a small seeded generator, so a --day always writes the same values. */
function prng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p) => next() < p,
    range: (min, max) => min + (max - min) * next(),
    gauss: (mean, sd) => mean + sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}
const random = prng(0x5eed + day);

/** DOCSight's `_connect` and `write_transaction`, on a connection of its own. */
function writeTransaction(file, work) {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 30000');
    db.pragma('foreign_keys = ON');
    db.pragma('journal_mode = WAL');
    db.transaction(() => work(db)).immediate();
  } finally {
    db.close();
  }
}

function read(file, work) {
  const db = new Database(file, { fileMustExist: true, readonly: true });
  try {
    return work(db);
  } finally {
    db.close();
  }
}

/** DOCSight's UTC text: `YYYY-MM-DDTHH:MM:SSZ`. */
const utcText = (ms) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** The poll's channel JSON: every error counter moved on, DS powers jittered (one decimal, as stored). */
function advance(json, poll) {
  return json
    .replace(/("correctable_errors": |"corrErrors":)(\d+)/g, (_m, key, n) => `${key}${Number(n) + poll * 3}`)
    .replace(/("uncorrectable_errors": |"nonCorrErrors":)(\d+)/g, (_m, key, n) => `${key}${Number(n) + Math.floor(poll / 40)}`)
    .replace(/("power": )(-?\d+\.\d)\b/g, (_m, key, n) => `${key}${(Number(n) + (random.next() < 0.5 ? -0.1 : 0.1)).toFixed(1)}`);
}

const started = performance.now();
const historyFile = path.join(dataDir, 'docsis_history.db');
const monitorFile = path.join(dataDir, 'connection_monitor.db');

const { template, replayEvents } = read(historyFile, (db) => {
  const template = db
    .prepare(
      'SELECT timestamp, summary_json, ds_channels_json, us_channels_json, raw_json, analysis_meta_json FROM snapshots ORDER BY id DESC LIMIT 1',
    )
    .get();
  if (!template)
    throw new Error(`${historyFile} has no snapshots: seed it first (pnpm locker seed --data-dir DIR --months 27 --configured)`);
  const busyDays = db
    .prepare('SELECT substr(timestamp, 1, 10) AS date FROM events GROUP BY date HAVING count(*) >= 2 ORDER BY date DESC')
    .all();
  const replayDay = busyDays.length === 0 ? undefined : busyDays[(day - 1) % busyDays.length].date;
  const replayEvents =
    replayDay === undefined
      ? []
      : db
          .prepare(
            'SELECT timestamp, severity, event_type, message, details FROM events WHERE substr(timestamp, 1, 10) = ? ORDER BY timestamp, id',
          )
          .all(replayDay)
          .map((event) => ({ ...event, dayOffsetMs: Date.parse(event.timestamp) - Date.parse(`${replayDay}T00:00:00Z`) }));
  return { template, replayEvents };
});
const firstMs = Date.parse(template.timestamp);

/** Events by the poll (1…POLLS) that writes them: their time of day, rounded up to the next poll. */
const eventsAtPoll = new Map();
for (const event of replayEvents) {
  const poll = Math.min(POLLS, Math.max(1, Math.ceil(event.dayOffsetMs / POLL_MS)));
  eventsAtPoll.set(poll, [...(eventsAtPoll.get(poll) ?? []), event]);
}

const inserted = { snapshots: 0, events: 0, device_state: 0, connection_samples: 0 };
for (let poll = 1; poll <= POLLS; poll++) {
  const timestamp = utcText(firstMs + poll * POLL_MS);
  writeTransaction(historyFile, (db) => {
    db.prepare(
      'INSERT INTO snapshots (timestamp, summary_json, ds_channels_json, us_channels_json, raw_json, analysis_meta_json, is_demo) VALUES (?, ?, ?, ?, ?, ?, 0)',
    ).run(
      timestamp,
      template.summary_json,
      advance(template.ds_channels_json, poll),
      template.us_channels_json,
      template.raw_json === null ? null : advance(template.raw_json, poll),
      template.analysis_meta_json,
    );
    db.prepare(
      `INSERT INTO device_state (id, uptime_seconds, sw_version, wan_ipv4, wan_ipv6, updated_at) VALUES (1, ?, '7.57', '203.0.113.17', NULL, ?)
       ON CONFLICT(id) DO UPDATE SET uptime_seconds = excluded.uptime_seconds, updated_at = excluded.updated_at`,
    ).run(86_400 * day + poll * 300, timestamp);
    const insertEvent = db.prepare(
      'INSERT INTO events (timestamp, severity, event_type, message, details, acknowledged, is_demo) VALUES (?, ?, ?, ?, ?, 0, 0)',
    );
    for (const event of eventsAtPoll.get(poll) ?? []) {
      insertEvent.run(timestamp, event.severity, event.event_type, event.message, event.details);
      inserted.events += 1;
    }
  });
  inserted.snapshots += 1;
  inserted.device_state += 1;
}

const { targetIds, lastSampleS } = read(monitorFile, (db) => ({
  targetIds: db
    .prepare('SELECT id FROM connection_targets ORDER BY id')
    .all()
    .map((row) => row.id),
  lastSampleS: db.prepare('SELECT max(timestamp) AS t FROM connection_samples').get().t,
}));
if (targetIds.length === 0) throw new Error(`${monitorFile} has no connection targets: seed it first`);
const firstSampleS = lastSampleS ?? (firstMs + POLL_MS) / 1000;
const micro = (seconds) => Math.round(seconds * 1e6) / 1e6;
const round2 = (n) => Math.round(n * 100) / 100;
let outageLeft = 0;
for (let tick = 1; tick <= SAMPLES_PER_DAY; tick++) {
  const timestamp = micro(firstSampleS + tick * SAMPLE_INTERVAL_S);
  const hour = (timestamp / 3600) % 24;
  const evening = hour >= 18 && hour < 23 ? 1 : 0;
  if (outageLeft === 0 && random.chance(0.00015)) outageLeft = 3 + Math.floor(random.next() * 10);
  const upstreamDown = outageLeft > 0;
  if (outageLeft > 0) outageLeft -= 1;
  writeTransaction(monitorFile, (db) => {
    const insert = db.prepare(
      'INSERT INTO connection_samples (target_id, timestamp, latency_ms, timeout, probe_method) VALUES (?, ?, ?, ?, ?)',
    );
    targetIds.forEach((targetId, index) => {
      const [base, extra] = TARGET_LATENCY[index % TARGET_LATENCY.length];
      const internet = index > 0;
      if (internet && (upstreamDown || random.chance(0.003 + evening * 0.003))) {
        insert.run(targetId, timestamp, null, 1, 'tcp');
        return;
      }
      let latency = internet ? base + evening * extra * random.next() + random.gauss(2.8, 2) : base + random.gauss(0.4, 0.4);
      if (internet && random.chance(0.002)) latency += random.range(40, 250);
      latency = internet ? Math.max(base - 3.5, latency) : Math.min(3, Math.max(0.8, latency));
      insert.run(targetId, timestamp, round2(latency), 0, 'tcp');
    });
  });
  inserted.connection_samples += targetIds.length;
}

console.log(
  JSON.stringify({
    day,
    inserted,
    snapshots: { from: utcText(firstMs + POLL_MS), to: utcText(firstMs + POLLS * POLL_MS) },
    samples: { from: micro(firstSampleS + SAMPLE_INTERVAL_S), to: micro(firstSampleS + SAMPLES_PER_DAY * SAMPLE_INTERVAL_S) },
    seconds: (performance.now() - started) / 1000,
  }),
);
