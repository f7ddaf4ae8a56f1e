/**
 * How DOCSight classifies `config.json` keys (`app/config.py`, built-in module manifests). The
 * int and bool sets follow the type of each key's default, which is how DOCSight builds them;
 * community modules can add keys this list does not know, and those stay as given.
 */
import { SEAL_SECRET_KEYS } from './seal-settings.ts';

/** Fernet-encrypted and write-only (masked) in DOCSight's UI. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'modem_password',
  'mqtt_password',
  'speedtest_tracker_token',
  'notify_webhook_token',
  'notify_apprise_key',
  'notify_apprise_token',
  'notify_pwa_push_vapid_private_key',
]);

/** Fernet-encrypted but shown in the UI (the reports module's `configPrivate`). */
export const PRIVATE_KEYS: ReadonlySet<string> = new Set(['report_customer_name', 'report_customer_number', 'report_customer_address']);

/** Keys whose stored value is a werkzeug password hash. */
export const HASH_KEYS: ReadonlySet<string> = new Set(['admin_password']);

/** What DOCSight's UI shows for a set secret (8 × U+2022); posting it back means "unchanged". */
export const PASSWORD_MASK = '\u2022'.repeat(8);

/** Every key whose value is stored as a Fernet token (DOCSight's, and this product's seal keys). */
export const ENCRYPTED_KEYS: ReadonlySet<string> = new Set([...SECRET_KEYS, ...PRIVATE_KEYS, ...SEAL_SECRET_KEYS]);

/** Keys cast with Python's int() on save (integer defaults). */
export const INT_KEYS: ReadonlySet<string> = new Set([
  'poll_interval',
  'web_port',
  'history_days',
  'booked_download',
  'booked_upload',
  'notify_cooldown',
  'health_hysteresis',
  'mqtt_port',
  'sc_global_cooldown',
  'sc_trigger_cooldown',
  'sc_max_actions_per_hour',
  'sc_speedtest_min_interval',
  'sc_speedtest_max_actions_per_day',
  'sc_speedtest_match_window',
  'sc_flapping_window',
  'sc_flapping_threshold',
  'sc_trigger_error_spike_min_delta',
  'backup_interval_hours',
  'backup_retention',
]);

/** Keys cast to bool on save (boolean defaults); strings "true"/"1"/"yes"/"on" mean true. */
export const BOOL_KEYS: ReadonlySet<string> = new Set([
  'metrics_require_token',
  'update_check_enabled',
  'demo_mode',
  'gaming_quality_enabled',
  'segment_utilization_enabled',
  'speedtest_tls_insecure',
  'notify_apprise_enabled',
  'notify_pwa_push_enabled',
  'sc_enabled',
  'sc_trigger_modulation',
  'sc_trigger_snr',
  'sc_trigger_error_spike',
  'sc_trigger_health',
  'sc_trigger_packet_loss',
  'backup_enabled',
]);

/** The backup module's defaults (`app/modules/backup/manifest.json`); never written unless saved. */
export const BACKUP_DEFAULTS = {
  backup_enabled: false,
  backup_path: '/backup',
  backup_interval_hours: 24,
  backup_retention: 5,
} as const;
