/**
 * The backup keys of config.json as the settings page shows and saves them. Reading applies
 * DOCSight's defaults and coercions (values may be strings in a hand-edited or old config);
 * saving accepts only the values DOCSight's UI offers.
 *
 * Besides DOCSight's four (enabled, path, interval, backup_retention = keep N), the retention by
 * age is this product's own (DOCSight ignores keys it does not know and keeps them):
 * `backup_retention_days` (keep every backup younger than N days), `backup_retention_daily`,
 * `backup_retention_weekly`, `backup_retention_monthly` (the newest backup of each of the last N
 * days / ISO weeks / months), each 0 = off (the default), `backup_retention_include_manual`
 * (default false: backups made by hand stay and are not counted) and
 * `backup_retention_include_pre_restore` (default false: the backup taken before a restore stays
 * and is not counted).
 */
import { z } from 'zod';
import { RETENTION_LIMITS, type ConfigRecord, type RetentionRule } from '@evidence-locker/core';
import { userPath } from './user-path.ts';

/** The retention-by-age keys and the rule part each sets (0 = off). */
export const RETENTION_AGE_KEYS = {
  backup_retention_days: 'keepDays',
  backup_retention_daily: 'daily',
  backup_retention_weekly: 'weekly',
  backup_retention_monthly: 'monthly',
} as const;
type RetentionAgeKey = keyof typeof RETENTION_AGE_KEYS;

const AGE_WORDS: Record<RetentionAgeKey, string> = {
  backup_retention_days: 'The days to keep every backup',
  backup_retention_daily: 'The daily backups to keep',
  backup_retention_weekly: 'The weekly backups to keep',
  backup_retention_monthly: 'The monthly backups to keep',
};

function ageCount(key: RetentionAgeKey) {
  const max = RETENTION_LIMITS[RETENTION_AGE_KEYS[key]];
  const words = AGE_WORDS[key];
  return z
    .number({ error: `${words} must be a number from 0 (off) to ${max}.` })
    .int({ error: `${words} must be a whole number.` })
    .min(0, { error: `${words} must be 0 (off) or more.` })
    .max(max, { error: `${words} must be at most ${max}.` });
}

export const BackupSettingsSchema = z.object({
  backup_enabled: z.boolean(),
  backup_path: z.string(),
  backup_interval_hours: z.number().int(),
  backup_retention: z.number().int(),
  backup_retention_days: z.number().int(),
  backup_retention_daily: z.number().int(),
  backup_retention_weekly: z.number().int(),
  backup_retention_monthly: z.number().int(),
  backup_retention_include_manual: z.boolean(),
  backup_retention_include_pre_restore: z.boolean(),
});
export type BackupSettings = z.infer<typeof BackupSettingsSchema>;

export const BackupSettingsUpdateSchema = z.object({
  backup_enabled: z.boolean({ error: 'backup_enabled must be true or false.' }).optional(),
  backup_path: userPath(
    z.string({ error: 'backup_path must be a directory path.' }).trim().min(1, { error: 'Choose a backup directory.' }),
  ).optional(),
  backup_interval_hours: z.literal([24, 168], { error: 'The backup interval must be 24 hours (daily) or 168 hours (weekly).' }).optional(),
  backup_retention: z
    .number({ error: 'The number of backups to keep must be a number from 1 to 100.' })
    .int({ error: 'The number of backups to keep must be a whole number.' })
    .min(1, { error: 'Keep at least 1 backup.' })
    .max(100, { error: 'Keep at most 100 backups.' })
    .optional(),
  backup_retention_days: ageCount('backup_retention_days').optional(),
  backup_retention_daily: ageCount('backup_retention_daily').optional(),
  backup_retention_weekly: ageCount('backup_retention_weekly').optional(),
  backup_retention_monthly: ageCount('backup_retention_monthly').optional(),
  backup_retention_include_manual: z.boolean({ error: 'backup_retention_include_manual must be true or false.' }).optional(),
  backup_retention_include_pre_restore: z.boolean({ error: 'backup_retention_include_pre_restore must be true or false.' }).optional(),
});
export type BackupSettingsUpdate = z.infer<typeof BackupSettingsUpdateSchema>;

/**
 * The effective backup settings of `config` (DOCSight's readers). `backupPath` is where backups go
 * (Instance.backupPath: config.json's backup_path when it keeps to the backup-path rule, else
 * BACKUP_DIR), never config.json's value read unchecked.
 */
export function readBackupSettings(config: ConfigRecord, backupPath: string): BackupSettings {
  return {
    backup_enabled: docsightBool(config['backup_enabled']),
    backup_path: backupPath,
    backup_interval_hours: positiveInt(config['backup_interval_hours']) ?? 24,
    backup_retention: positiveInt(config['backup_retention']) ?? 5,
    backup_retention_days: ageSetting(config, 'backup_retention_days'),
    backup_retention_daily: ageSetting(config, 'backup_retention_daily'),
    backup_retention_weekly: ageSetting(config, 'backup_retention_weekly'),
    backup_retention_monthly: ageSetting(config, 'backup_retention_monthly'),
    backup_retention_include_manual: docsightBool(config['backup_retention_include_manual']),
    backup_retention_include_pre_restore: docsightBool(config['backup_retention_include_pre_restore']),
  };
}

/** The settings' retention as the rule pruning applies: keep N always, the age parts when not 0. */
export function backupRetentionRule(settings: BackupSettings): RetentionRule {
  const rule: RetentionRule = {
    keepLast: Math.min(100, Math.max(1, settings.backup_retention)),
    includeManual: settings.backup_retention_include_manual,
    includePreRestore: settings.backup_retention_include_pre_restore,
  };
  for (const [key, part] of Object.entries(RETENTION_AGE_KEYS) as [RetentionAgeKey, (typeof RETENTION_AGE_KEYS)[RetentionAgeKey]][]) {
    if (settings[key] > 0) rule[part] = settings[key];
  }
  return rule;
}

/** A retention-by-age key: a whole number, 0 (off) when absent or not a count, at most its limit. */
function ageSetting(config: ConfigRecord, key: RetentionAgeKey): number {
  return Math.min(positiveInt(config[key]) ?? 0, RETENTION_LIMITS[RETENTION_AGE_KEYS[key]]);
}

/** DOCSight's `_get_bool`: strings "true"/"1"/"yes" (any case) are true; others by truthiness. */
function docsightBool(value: unknown): boolean {
  if (typeof value === 'string') return ['true', '1', 'yes'].includes(value.toLowerCase());
  return Boolean(value);
}

/** DOCSight's `_int_config`: int(value) when > 0, else the default. */
function positiveInt(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : undefined;
}
