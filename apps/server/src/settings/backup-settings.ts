/**
 * The four backup keys of config.json as the settings page shows and saves them. Reading applies
 * DOCSight's defaults and coercions (values may be strings in a hand-edited or old config);
 * saving accepts only the values DOCSight's UI offers.
 */
import { z } from 'zod';
import type { ConfigRecord } from '@evidence-locker/core';
import { userPath } from './user-path.ts';

export const BackupSettingsSchema = z.object({
  backup_enabled: z.boolean(),
  backup_path: z.string(),
  backup_interval_hours: z.number().int(),
  backup_retention: z.number().int(),
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
  };
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
