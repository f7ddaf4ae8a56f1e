/**
 * DOCSight's schema statements, character for character as DOCSight executes them (including the
 * leading newline and indentation of its triple-quoted Python strings). SQLite stores a table's DDL
 * from the table name to the closing parenthesis and an index's DDL from the name to the end of the
 * statement, so replaying these exact strings, in DOCSight's order and followed by the same
 * `ALTER TABLE … ADD COLUMN` steps, yields a `sqlite_master` that matches a DOCSight-made database
 * byte for byte (e.g. the `\n    , is_demo INTEGER NOT NULL DEFAULT 0)` tail of `snapshots`).
 *
 * Sources: DOCSight `app/storage/schema.py`, `app/storage/migrations.py` and
 * `app/modules/{speedtest,bqm,bnetz,journal,weather,connection_monitor}/migrations.py`.
 */

/** `_docsight_migrations`, created before the first migration of every migration group. */
export const MIGRATION_REGISTRY_DDL = `
        CREATE TABLE IF NOT EXISTS _docsight_migrations (
            id TEXT PRIMARY KEY,
            applied_at TEXT NOT NULL
        )
        `;

/** Column declaration DOCSight's demo-flag migrations add with `ALTER TABLE … ADD COLUMN`. */
export const DEMO_FLAG_DECLARATION = 'is_demo INTEGER NOT NULL DEFAULT 0';

/** `CORE_SCHEMA`: run by `core-0001-baseline`. */
export const CORE_SCHEMA: readonly string[] = [
  `
    CREATE TABLE IF NOT EXISTS _docsight_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    `,
  `
    CREATE TABLE IF NOT EXISTS snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        timestamp TEXT NOT NULL,
        summary_json TEXT NOT NULL,
        ds_channels_json TEXT NOT NULL,
        us_channels_json TEXT NOT NULL,
        raw_json TEXT,
        analysis_meta_json TEXT
    )
    `,
  `
    CREATE TABLE IF NOT EXISTS device_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        uptime_seconds INTEGER,
        sw_version TEXT,
        wan_ipv4 TEXT,
        wan_ipv6 TEXT,
        updated_at TEXT NOT NULL
    )
    `,
  'CREATE INDEX IF NOT EXISTS idx_snapshots_ts ON snapshots(timestamp)',
  `
    CREATE TABLE IF NOT EXISTS events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        timestamp TEXT NOT NULL,
        severity TEXT NOT NULL,
        event_type TEXT NOT NULL,
        message TEXT NOT NULL,
        details TEXT,
        acknowledged INTEGER NOT NULL DEFAULT 0
    )
    `,
  'CREATE INDEX IF NOT EXISTS idx_events_ts ON events(timestamp)',
  'CREATE INDEX IF NOT EXISTS idx_events_ack ON events(acknowledged)',
  'CREATE INDEX IF NOT EXISTS idx_events_type_ts ON events(event_type, timestamp DESC)',
  'CREATE INDEX IF NOT EXISTS idx_snapshots_ts_id ON snapshots(timestamp DESC, id DESC)',
  `
    CREATE TABLE IF NOT EXISTS weather_data (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        timestamp TEXT NOT NULL UNIQUE,
        temperature REAL NOT NULL,
        is_demo INTEGER NOT NULL DEFAULT 0
    )
    `,
  'CREATE INDEX IF NOT EXISTS idx_weather_ts ON weather_data(timestamp)',
  `
    CREATE TABLE IF NOT EXISTS api_tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        token_prefix TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked INTEGER NOT NULL DEFAULT 0
    )
    `,
  `
    CREATE TABLE IF NOT EXISTS pwa_push_subscriptions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        endpoint TEXT NOT NULL UNIQUE,
        subscription_json TEXT NOT NULL,
        user_agent TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    `,
  `
    CREATE INDEX IF NOT EXISTS idx_pwa_push_subscriptions_updated
    ON pwa_push_subscriptions(updated_at)
    `,
  `
    CREATE TABLE IF NOT EXISTS smart_capture_executions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        trigger_event_id INTEGER,
        trigger_timestamp TEXT,
        trigger_type TEXT NOT NULL,
        action_type TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        fired_at TEXT,
        completed_at TEXT,
        claimed_at TEXT,
        attempt_count INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        suppression_reason TEXT,
        linked_result_id INTEGER,
        details TEXT,
        created_at TEXT NOT NULL
    )
    `,
  'CREATE INDEX IF NOT EXISTS idx_sc_exec_status ON smart_capture_executions(status)',
  'CREATE INDEX IF NOT EXISTS idx_sc_exec_created ON smart_capture_executions(created_at)',
];

/**
 * `journal_attachments` as `core-0002-incidents-to-journal` creates it when it renames a legacy
 * `incidents` table (deeper indentation than the journal module's copy of the same table).
 */
export const LEGACY_JOURNAL_ATTACHMENTS_DDL = `
            CREATE TABLE IF NOT EXISTS journal_attachments (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                entry_id INTEGER NOT NULL,
                filename TEXT NOT NULL,
                mime_type TEXT NOT NULL,
                data BLOB NOT NULL,
                created_at TEXT NOT NULL,
                FOREIGN KEY (entry_id) REFERENCES journal_entries(id) ON DELETE CASCADE
            )
            `;

/** Speedtest module baseline (`speedtest-0001-baseline`); ids are Speedtest-Tracker ids, no AUTOINCREMENT. */
export const SPEEDTEST_SCHEMA: readonly string[] = [
  'CREATE TABLE IF NOT EXISTS speedtest_results (' +
    'id INTEGER PRIMARY KEY, timestamp TEXT NOT NULL, download_mbps REAL, upload_mbps REAL, ' +
    'download_human TEXT, upload_human TEXT, ping_ms REAL, jitter_ms REAL, ' +
    'packet_loss_pct REAL, server_id INTEGER, server_name TEXT, ' +
    'is_demo INTEGER NOT NULL DEFAULT 0)',
  'CREATE INDEX IF NOT EXISTS idx_speedtest_ts ON speedtest_results(timestamp)',
  'CREATE TABLE IF NOT EXISTS speedtest_meta (key TEXT PRIMARY KEY, value TEXT)',
];

/** Columns `speedtest-0002-columns` adds after `server_id`, `server_name`, `is_demo`, in this order. */
export const SPEEDTEST_ENRICHED_COLUMNS: readonly (readonly [name: string, type: string])[] = [
  ['isp', 'TEXT'],
  ['server_host', 'TEXT'],
  ['server_location', 'TEXT'],
  ['server_country', 'TEXT'],
  ['server_ip', 'TEXT'],
  ['ping_low', 'REAL'],
  ['ping_high', 'REAL'],
  ['dl_latency_iqm', 'REAL'],
  ['dl_latency_jitter', 'REAL'],
  ['ul_latency_iqm', 'REAL'],
  ['ul_latency_jitter', 'REAL'],
  ['dl_bytes', 'INTEGER'],
  ['ul_bytes', 'INTEGER'],
  ['dl_elapsed_ms', 'INTEGER'],
  ['ul_elapsed_ms', 'INTEGER'],
  ['external_ip', 'TEXT'],
  ['is_vpn', 'INTEGER'],
  ['result_url', 'TEXT'],
];

/** BQM module baseline (`bqm-0001-baseline`). */
export const BQM_SCHEMA: readonly string[] = [
  `
    CREATE TABLE IF NOT EXISTS bqm_graphs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT NOT NULL UNIQUE,
        timestamp TEXT NOT NULL, image_blob BLOB NOT NULL,
        is_demo INTEGER NOT NULL DEFAULT 0
    )
    `,
  `
    CREATE TABLE IF NOT EXISTS bqm_data (
        id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL,
        date TEXT NOT NULL, sent_polls INTEGER NOT NULL,
        lost_polls INTEGER NOT NULL DEFAULT 0, latency_min_ms REAL NOT NULL,
        latency_avg_ms REAL NOT NULL, latency_max_ms REAL NOT NULL,
        score INTEGER NOT NULL, UNIQUE(timestamp)
    )
    `,
  'CREATE INDEX IF NOT EXISTS idx_bqm_data_date ON bqm_data(date)',
  'CREATE TABLE IF NOT EXISTS bqm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
];

/** BNetz module baseline (`bnetz-0001-baseline`). */
export const BNETZ_SCHEMA: readonly string[] = [
  `
        CREATE TABLE IF NOT EXISTS bnetz_measurements (
            id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT NOT NULL,
            timestamp TEXT NOT NULL, provider TEXT, tariff TEXT,
            download_max_tariff REAL, download_normal_tariff REAL,
            download_min_tariff REAL, upload_max_tariff REAL,
            upload_normal_tariff REAL, upload_min_tariff REAL,
            download_measured_avg REAL, upload_measured_avg REAL,
            measurement_count INTEGER, verdict_download TEXT, verdict_upload TEXT,
            measurements_json TEXT, pdf_blob BLOB, source TEXT DEFAULT 'upload',
            is_demo INTEGER NOT NULL DEFAULT 0
        )
        `,
];

/** Journal module baseline (`journal-0001-baseline`). */
export const JOURNAL_SCHEMA: readonly string[] = [
  `
    CREATE TABLE IF NOT EXISTS journal_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT, date TEXT NOT NULL, title TEXT NOT NULL,
        description TEXT, icon TEXT, incident_id INTEGER, created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL, is_demo INTEGER NOT NULL DEFAULT 0
    )
    `,
  `
    CREATE TABLE IF NOT EXISTS journal_attachments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, entry_id INTEGER NOT NULL,
        filename TEXT NOT NULL, mime_type TEXT NOT NULL, data BLOB NOT NULL,
        created_at TEXT NOT NULL,
        FOREIGN KEY (entry_id) REFERENCES journal_entries(id) ON DELETE CASCADE
    )
    `,
  `
    CREATE TABLE IF NOT EXISTS incidents (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, description TEXT,
        status TEXT NOT NULL DEFAULT 'open', start_date TEXT, end_date TEXT, icon TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        is_demo INTEGER NOT NULL DEFAULT 0
    )
    `,
];

/**
 * Weather module baseline (`weather-0001-baseline`). On a fresh database the core `weather_data`
 * (id + UNIQUE timestamp) already exists, so this only takes effect on databases older than the
 * core definition; both shapes occur in the wild.
 */
export const WEATHER_SCHEMA: readonly string[] = [
  'CREATE TABLE IF NOT EXISTS weather_data (' + 'timestamp TEXT PRIMARY KEY, temperature REAL NOT NULL, is_demo INTEGER DEFAULT 0)',
];

/** `SEGMENT_SCHEMA`: run by `segment-0001-baseline`. */
export const SEGMENT_SCHEMA: readonly string[] = [
  `
    CREATE TABLE IF NOT EXISTS segment_utilization (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        timestamp TEXT NOT NULL,
        ds_total REAL,
        us_total REAL,
        ds_own REAL,
        us_own REAL
    )
    `,
  `
    CREATE UNIQUE INDEX IF NOT EXISTS idx_segment_util_ts
    ON segment_utilization(timestamp)
    `,
  `
    CREATE TABLE IF NOT EXISTS segment_utilization_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        direction TEXT NOT NULL,
        start_ts TEXT NOT NULL,
        end_ts TEXT NOT NULL,
        duration_minutes INTEGER NOT NULL,
        peak_total REAL,
        peak_own REAL,
        peak_neighbor_load REAL,
        confidence TEXT,
        threshold INTEGER NOT NULL,
        min_minutes INTEGER NOT NULL
    )
    `,
  `
    CREATE UNIQUE INDEX IF NOT EXISTS idx_segment_util_events_key
    ON segment_utilization_events(direction, start_ts, threshold, min_minutes)
    `,
];

/** Connection Monitor baseline (`connection-monitor-0001-baseline`) for `connection_monitor.db`. */
export const CONNECTION_MONITOR_SCHEMA: readonly string[] = [
  `
    CREATE TABLE IF NOT EXISTS connection_targets (
        id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL, host TEXT NOT NULL,
        enabled BOOLEAN NOT NULL DEFAULT 1, poll_interval_ms INTEGER NOT NULL DEFAULT 5000,
        probe_method TEXT NOT NULL DEFAULT 'auto', tcp_port INTEGER NOT NULL DEFAULT 443,
        is_demo INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL
    )
    `,
  `
    CREATE TABLE IF NOT EXISTS connection_samples (
        id INTEGER PRIMARY KEY AUTOINCREMENT, target_id INTEGER NOT NULL,
        timestamp REAL NOT NULL, latency_ms REAL, timeout BOOLEAN NOT NULL DEFAULT 0,
        probe_method TEXT NOT NULL,
        FOREIGN KEY (target_id) REFERENCES connection_targets(id) ON DELETE CASCADE
    )
    `,
  'CREATE INDEX IF NOT EXISTS idx_samples_target_ts ON connection_samples (target_id, timestamp)',
  `
    CREATE TABLE IF NOT EXISTS connection_samples_aggregated (
        id INTEGER PRIMARY KEY AUTOINCREMENT, target_id INTEGER NOT NULL,
        bucket_start REAL NOT NULL, bucket_seconds INTEGER NOT NULL,
        avg_latency_ms REAL, min_latency_ms REAL, max_latency_ms REAL,
        p95_latency_ms REAL, packet_loss_pct REAL NOT NULL, sample_count INTEGER NOT NULL,
        FOREIGN KEY (target_id) REFERENCES connection_targets(id) ON DELETE CASCADE,
        UNIQUE(target_id, bucket_start, bucket_seconds)
    )
    `,
  `
    CREATE INDEX IF NOT EXISTS idx_agg_target_bucket
    ON connection_samples_aggregated (target_id, bucket_seconds, bucket_start)
    `,
  `
    CREATE TABLE IF NOT EXISTS connection_monitor_pinned_days (
        date TEXT NOT NULL PRIMARY KEY, label TEXT, created_at REAL NOT NULL
    )
    `,
  `
    CREATE TABLE IF NOT EXISTS traceroute_traces (
        id INTEGER PRIMARY KEY AUTOINCREMENT, target_id INTEGER NOT NULL,
        timestamp REAL NOT NULL, trigger_reason TEXT NOT NULL, hop_count INTEGER NOT NULL,
        route_fingerprint TEXT, reached_target INTEGER NOT NULL DEFAULT 0,
        is_demo INTEGER NOT NULL DEFAULT 0,
        FOREIGN KEY (target_id) REFERENCES connection_targets(id) ON DELETE CASCADE
    )
    `,
  'CREATE INDEX IF NOT EXISTS idx_traces_target_ts ON traceroute_traces(target_id, timestamp)',
  `
    CREATE TABLE IF NOT EXISTS traceroute_hops (
        id INTEGER PRIMARY KEY AUTOINCREMENT, trace_id INTEGER NOT NULL,
        hop_index INTEGER NOT NULL, hop_ip TEXT, hop_host TEXT, latency_ms REAL,
        probes_responded INTEGER NOT NULL DEFAULT 0,
        FOREIGN KEY (trace_id) REFERENCES traceroute_traces(id) ON DELETE CASCADE
    )
    `,
  'CREATE INDEX IF NOT EXISTS idx_hops_trace ON traceroute_hops(trace_id)',
];
