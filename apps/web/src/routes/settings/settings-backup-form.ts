/**
 * The automatic-backup settings as the settings page edits them: the saved values, the pending
 * edits, what changed, and the patch that Save sends (settings.update takes only changed keys).
 * The retention (keep N, and by age: keep days, daily, weekly, monthly, include manual and
 * pre-restore backups)
 * also gives the rule settings.retentionPreview takes, asked before a changed rule is saved.
 */
import type { BackupSettings, BackupSettingsPatch, RetentionRuleInput } from '../../api/server-types.ts';
import type { MessageKey } from '../../i18n/message-schema.ts';

/** The retention-by-age fields, their config.json keys, their largest value (0 = off) and the problem text. */
export const AGE_FIELDS = [
  { field: 'days', key: 'backup_retention_days', part: 'keepDays', max: 3650, invalid: 'retention.daysInvalid' },
  { field: 'daily', key: 'backup_retention_daily', part: 'daily', max: 3650, invalid: 'retention.dailyInvalid' },
  { field: 'weekly', key: 'backup_retention_weekly', part: 'weekly', max: 520, invalid: 'retention.weeklyInvalid' },
  { field: 'monthly', key: 'backup_retention_monthly', part: 'monthly', max: 1200, invalid: 'retention.monthlyInvalid' },
] as const satisfies readonly {
  field: string;
  key: keyof BackupSettings;
  part: keyof RetentionRuleInput;
  max: number;
  invalid: MessageKey;
}[];
type AgeField = (typeof AGE_FIELDS)[number];

/**
 * What this form reads of the backup settings settings.get returns: the values, and
 * `backupPathWarning` (config.json's backup_path when the server refuses it; `backup_path` is then
 * BACKUP_DIR, where backups really go).
 */
export type SavedBackupSettings = Pick<
  BackupSettings,
  | 'backup_enabled'
  | 'backup_path'
  | 'backup_interval_hours'
  | 'backup_retention'
  | AgeField['key']
  | 'backup_retention_include_manual'
  | 'backup_retention_include_pre_restore'
> &
  Partial<Pick<BackupSettings, 'backupPathWarning'>>;

/**
 * The form's fields. Counts are kept as typed (a number input's v-model gives a number, or ''
 * when emptied): an empty keep-N is an error rather than a silent 0; an empty age field is off.
 */
export interface BackupSettingsForm {
  enabled: boolean;
  path: string;
  intervalHours: 24 | 168;
  retention: string | number;
  days: string | number;
  daily: string | number;
  weekly: string | number;
  monthly: string | number;
  includeManual: boolean;
  includePreRestore: boolean;
}

export type BackupSettingsErrors = Partial<Record<keyof BackupSettingsForm, MessageKey>>;

/** The form showing `saved`; an interval other than daily/weekly shows as daily, as in DOCSight. */
export function formFromSaved(saved: SavedBackupSettings): BackupSettingsForm {
  return {
    enabled: saved.backup_enabled,
    path: saved.backup_path,
    intervalHours: saved.backup_interval_hours === 168 ? 168 : 24,
    retention: String(saved.backup_retention),
    days: String(saved.backup_retention_days),
    daily: String(saved.backup_retention_daily),
    weekly: String(saved.backup_retention_weekly),
    monthly: String(saved.backup_retention_monthly),
    includeManual: saved.backup_retention_include_manual,
    includePreRestore: saved.backup_retention_include_pre_restore,
  };
}

/** An age field as a count: empty is 0 (off); NaN when it is not a whole number. */
function ageCount(value: string | number): number {
  const text = String(value).trim();
  if (text === '') return 0;
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

/** Problems of the form (keep N a whole number from 1 to 100; each age field 0 (off) to its largest). */
export function validateBackupSettings(form: BackupSettingsForm): BackupSettingsErrors {
  const errors: BackupSettingsErrors = {};
  const retention = String(form.retention).trim();
  if (!/^\d+$/.test(retention) || Number(retention) < 1 || Number(retention) > 100) {
    errors.retention = 'settings.auto.retentionInvalid';
  }
  for (const { field, max, invalid } of AGE_FIELDS) {
    const count = ageCount(form[field]);
    if (Number.isNaN(count) || count > max) errors[field] = invalid;
  }
  return errors;
}

/** The rule the form's retention stands for (call validateBackupSettings first), as settings.retentionPreview takes it. */
export function retentionRule(form: BackupSettingsForm): RetentionRuleInput {
  const rule: RetentionRuleInput = {
    keepLast: Number(String(form.retention).trim()),
    includeManual: form.includeManual,
    includePreRestore: form.includePreRestore,
  };
  for (const { field, part } of AGE_FIELDS) {
    const count = ageCount(form[field]);
    if (count > 0) rule[part] = count;
  }
  return rule;
}

/** True when the form's retention differs from the saved one: Save then shows what it would delete first. */
export function isRetentionChanged(saved: SavedBackupSettings, form: BackupSettingsForm): boolean {
  const patch = backupSettingsPatch(saved, form);
  return [
    'backup_retention',
    'backup_retention_include_manual',
    'backup_retention_include_pre_restore',
    ...AGE_FIELDS.map(({ key }) => key),
  ].some((key) => key in patch);
}

/** The settings.update input: only the keys whose value differs from `saved`. */
export function backupSettingsPatch(saved: SavedBackupSettings, form: BackupSettingsForm): BackupSettingsPatch {
  const patch: BackupSettingsPatch = {};
  if (form.enabled !== saved.backup_enabled) patch.backup_enabled = form.enabled;
  if (form.path.trim() !== saved.backup_path) patch.backup_path = form.path.trim();
  if (form.intervalHours !== saved.backup_interval_hours) patch.backup_interval_hours = form.intervalHours;
  const retention = Number(String(form.retention).trim());
  if (retention !== saved.backup_retention) patch.backup_retention = retention;
  for (const { field, key } of AGE_FIELDS) {
    const count = ageCount(form[field]);
    if (count !== saved[key]) patch[key] = count;
  }
  if (form.includeManual !== saved.backup_retention_include_manual) patch.backup_retention_include_manual = form.includeManual;
  if (form.includePreRestore !== saved.backup_retention_include_pre_restore) {
    patch.backup_retention_include_pre_restore = form.includePreRestore;
  }
  return patch;
}

/** True when the form differs from `saved` (what the leave guard asks about). */
export function isBackupSettingsDirty(saved: SavedBackupSettings, form: BackupSettingsForm): boolean {
  return Object.keys(backupSettingsPatch(saved, form)).length > 0;
}

/**
 * What Save sends: {@link backupSettingsPatch}, plus the shown path while config.json's own path
 * is refused, so saving (even unchanged) replaces the refused value and ends the warning.
 */
export function backupSettingsSave(saved: SavedBackupSettings, form: BackupSettingsForm): BackupSettingsPatch {
  const patch = backupSettingsPatch(saved, form);
  if (saved.backupPathWarning && patch.backup_path === undefined) patch.backup_path = form.path.trim();
  return patch;
}

/** Whether Save has something to send: an edit, or a refused path to replace. */
export function canSaveBackupSettings(saved: SavedBackupSettings, form: BackupSettingsForm): boolean {
  return Object.keys(backupSettingsSave(saved, form)).length > 0;
}
