/**
 * The automatic-backup settings as the settings page edits them: the saved values, the pending
 * edits, what changed, and the patch that Save sends (settings.update takes only changed keys).
 */
import type { BackupSettings, BackupSettingsPatch } from '../../api/server-types.ts';
import type { MessageKey } from '../../i18n/message-schema.ts';

/**
 * What this form reads of the backup settings settings.get returns: the four values, and
 * `backupPathWarning` (config.json's backup_path when the server refuses it; `backup_path` is then
 * BACKUP_DIR, where backups really go).
 */
export type SavedBackupSettings = Pick<BackupSettings, 'backup_enabled' | 'backup_path' | 'backup_interval_hours' | 'backup_retention'> &
  Partial<Pick<BackupSettings, 'backupPathWarning'>>;

/**
 * The form's fields. Retention is kept as typed (a number input's v-model gives a number, or ''
 * when emptied), so an empty field is an error rather than a silent 0.
 */
export interface BackupSettingsForm {
  enabled: boolean;
  path: string;
  intervalHours: 24 | 168;
  retention: string | number;
}

export type BackupSettingsErrors = Partial<Record<keyof BackupSettingsForm, MessageKey>>;

/** The form showing `saved`; an interval other than daily/weekly shows as daily, as in DOCSight. */
export function formFromSaved(saved: SavedBackupSettings): BackupSettingsForm {
  return {
    enabled: saved.backup_enabled,
    path: saved.backup_path,
    intervalHours: saved.backup_interval_hours === 168 ? 168 : 24,
    retention: String(saved.backup_retention),
  };
}

/** Problems of the form (retention must be a whole number from 1 to 100). */
export function validateBackupSettings(form: BackupSettingsForm): BackupSettingsErrors {
  const errors: BackupSettingsErrors = {};
  const retention = String(form.retention).trim();
  if (!/^\d+$/.test(retention) || Number(retention) < 1 || Number(retention) > 100) {
    errors.retention = 'settings.auto.retentionInvalid';
  }
  return errors;
}

/** The settings.update input: only the keys whose value differs from `saved`. */
export function backupSettingsPatch(saved: SavedBackupSettings, form: BackupSettingsForm): BackupSettingsPatch {
  const patch: BackupSettingsPatch = {};
  if (form.enabled !== saved.backup_enabled) patch.backup_enabled = form.enabled;
  if (form.path.trim() !== saved.backup_path) patch.backup_path = form.path.trim();
  if (form.intervalHours !== saved.backup_interval_hours) patch.backup_interval_hours = form.intervalHours;
  const retention = Number(String(form.retention).trim());
  if (retention !== saved.backup_retention) patch.backup_retention = retention;
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
