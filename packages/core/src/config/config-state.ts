/**
 * DOCSight's state questions about a config, answered from the `config.json` object alone
 * (`app/config.py`: `is_demo_mode`, `is_configured`, `is_backup_configured`). Environment
 * overrides (`DEMO_MODE`, …) are the server's business and are not applied here.
 */
import { BACKUP_DEFAULTS } from './config-keys.ts';
import type { ConfigRecord } from './config-schema.ts';
import { pythonTruthy } from './python-truthy.ts';

/** `bool(get("demo_mode"))`: no coercion, so a string "false" counts as demo mode. */
export function isDemoMode(config: ConfigRecord): boolean {
  return pythonTruthy(configValue(config, 'demo_mode'));
}

/**
 * True in demo mode or when `modem_type` was saved at all (any value, even ""). An unparsable
 * config.json reads as {} and so is not configured, as in DOCSight.
 */
export function isConfigured(config: ConfigRecord): boolean {
  return isDemoMode(config) || Object.hasOwn(config, 'modem_type');
}

/**
 * `_get_bool("backup_enabled") and bool(get("backup_path"))`. Strings "true", "1", "yes" (any
 * case) are true and every other string is false (note: not "on"); other values by truthiness.
 * `backup_path` defaults to "/backup", so only a saved empty path disables it.
 */
export function isBackupConfigured(config: ConfigRecord): boolean {
  return getBool(configValue(config, 'backup_enabled')) && pythonTruthy(configValue(config, 'backup_path'));
}

/** DOCSight's `_get_bool`. */
function getBool(value: unknown): boolean {
  if (typeof value === 'string') return ['true', '1', 'yes'].includes(value.toLowerCase());
  return pythonTruthy(value);
}

/** `get(key)` without env: the saved value when the key is present (even null), else the default. */
function configValue(config: ConfigRecord, key: string): unknown {
  if (Object.hasOwn(config, key)) return config[key];
  const defaults: Record<string, unknown> = { demo_mode: false, ...BACKUP_DEFAULTS };
  return defaults[key];
}
