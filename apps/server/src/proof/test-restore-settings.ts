/**
 * The test restore's two keys in config.json (issue 19): `test_restore_enabled` (default true) and
 * `test_restore_interval_days` (default 7: weekly; 1..90). DOCSight does not know them and ignores
 * them. Reading is lenient like the backup keys' (a hand-edited value out of range reads as the
 * default); saving accepts only valid values.
 */
import type { ConfigRecord } from '@evidence-locker/core';
import { z } from 'zod';

export const DEFAULT_TEST_RESTORE_INTERVAL_DAYS = 7;
export const MIN_TEST_RESTORE_INTERVAL_DAYS = 1;
export const MAX_TEST_RESTORE_INTERVAL_DAYS = 90;

export interface TestRestoreSettings {
  enabled: boolean;
  intervalDays: number;
}

export const TestRestoreSettingsUpdateSchema = z.object({
  enabled: z.boolean({ error: 'enabled must be true or false.' }).optional(),
  intervalDays: z
    .number({ error: 'The days between test restores must be a number from 1 to 90.' })
    .int({ error: 'The days between test restores must be a whole number.' })
    .min(MIN_TEST_RESTORE_INTERVAL_DAYS, { error: 'Test restores run at most once a day.' })
    .max(MAX_TEST_RESTORE_INTERVAL_DAYS, { error: 'Test restores run at least every 90 days.' })
    .optional(),
});
export type TestRestoreSettingsUpdate = z.infer<typeof TestRestoreSettingsUpdateSchema>;

/** The test restore settings of `config`, with their defaults. */
export function readTestRestoreSettings(config: ConfigRecord): TestRestoreSettings {
  const enabled = config['test_restore_enabled'];
  const days = config['test_restore_interval_days'];
  const validDays =
    typeof days === 'number' && Number.isInteger(days) && days >= MIN_TEST_RESTORE_INTERVAL_DAYS && days <= MAX_TEST_RESTORE_INTERVAL_DAYS;
  return {
    enabled: typeof enabled === 'boolean' ? enabled : true,
    intervalDays: validDays ? days : DEFAULT_TEST_RESTORE_INTERVAL_DAYS,
  };
}

/** The config.json patch of `update`. */
export function testRestoreSettingsPatch(update: TestRestoreSettingsUpdate): Record<string, boolean | number> {
  const patch: Record<string, boolean | number> = {};
  if (update.enabled !== undefined) patch['test_restore_enabled'] = update.enabled;
  if (update.intervalDays !== undefined) patch['test_restore_interval_days'] = update.intervalDays;
  return patch;
}
