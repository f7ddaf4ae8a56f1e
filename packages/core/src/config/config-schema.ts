/**
 * Shape of DOCSight's `config.json`: one flat JSON object holding only keys that were saved.
 * DOCSight coerces nothing on read, so the known keys are typed as loosely as DOCSight tolerates:
 * text keys must be strings, flag and number keys may be any JSON scalar (a string "5" or "true"
 * works there). Unknown keys (community modules) may hold any JSON value.
 */
import { z } from 'zod';

/** Any JSON value. */
export const JsonValueSchema = z.json();
export type JsonValue = z.infer<typeof JsonValueSchema>;

/** A flat config object as read from disk, before any typing. */
export type ConfigRecord = Record<string, JsonValue>;

const Text = z.string().optional();
const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]).optional();

export const ConfigSchema = z
  .object({
    modem_type: Text,
    modem_url: Text,
    modem_user: Text,
    modem_password: Text,
    admin_password: Text,
    mqtt_password: Text,
    speedtest_tracker_token: Text,
    notify_webhook_token: Text,
    notify_apprise_key: Text,
    notify_apprise_token: Text,
    notify_pwa_push_vapid_private_key: Text,
    report_customer_name: Text,
    report_customer_number: Text,
    report_customer_address: Text,
    language: Text,
    timezone: Text,
    theme: Text,
    isp_name: Text,
    demo_mode: Scalar,
    poll_interval: Scalar,
    history_days: Scalar,
    booked_download: Scalar,
    booked_upload: Scalar,
    backup_enabled: Scalar,
    backup_path: Scalar,
    backup_interval_hours: Scalar,
    backup_retention: Scalar,
    dismissed_notice_ids: z.array(JsonValueSchema).optional(),
  })
  .catchall(JsonValueSchema);
export type Config = z.infer<typeof ConfigSchema>;
