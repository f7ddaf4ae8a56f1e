/**
 * The archive's `config.json`, checked before it may replace the live one. DOCSight restores any
 * bytes and then silently treats an unparsable config as "unconfigured"; here such an archive is
 * rejected while the live config is still untouched.
 */
import { readFile } from 'node:fs/promises';
import { LockerError } from '../../errors.ts';

/** Parses the staged `config.json` at `path`; not UTF-8 JSON or not an object → CONFIG_INVALID. */
export async function readStagedConfig(path: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readFile(path)));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LockerError('CONFIG_INVALID', `Invalid backup: config.json is not valid JSON: ${reason}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LockerError('CONFIG_INVALID', 'Invalid backup: config.json is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/**
 * DOCSight's `is_configured()` on a config dict: demo mode on (Python truthiness of `demo_mode`, so
 * the string "false" counts) or a `modem_type` key present with any value.
 */
export function isDocsightConfigured(config: Record<string, unknown>): boolean {
  return pythonTruthy(config['demo_mode']) || Object.hasOwn(config, 'modem_type');
}

function pythonTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}
