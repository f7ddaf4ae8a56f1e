import { describe, expect, it } from 'vitest';
import {
  backupSettingsPatch,
  backupSettingsSave,
  canSaveBackupSettings,
  formFromSaved,
  isBackupSettingsDirty,
  isRetentionChanged,
  retentionRule,
  validateBackupSettings,
  type SavedBackupSettings,
} from './settings-backup-form.ts';

const SAVED: SavedBackupSettings = {
  backup_enabled: false,
  backup_path: '/backups',
  backup_interval_hours: 24,
  backup_retention: 5,
  backup_retention_days: 0,
  backup_retention_daily: 0,
  backup_retention_weekly: 0,
  backup_retention_monthly: 0,
  backup_retention_include_manual: false,
  backup_retention_include_pre_restore: false,
};

describe('backup settings form', () => {
  it('is clean right after loading the saved values', () => {
    expect(isBackupSettingsDirty(SAVED, formFromSaved(SAVED))).toBe(false);
  });

  it('sends only the changed keys on Save', () => {
    const form = { ...formFromSaved(SAVED), enabled: true, path: ' /mnt/nas ', retention: 7 };
    expect(backupSettingsPatch(SAVED, form)).toEqual({ backup_enabled: true, backup_path: '/mnt/nas', backup_retention: 7 });
    expect(isBackupSettingsDirty(SAVED, form)).toBe(true);
  });

  it('shows an unusual saved interval as daily, which is then a change to save', () => {
    const odd = { ...SAVED, backup_interval_hours: 12 };
    expect(formFromSaved(odd).intervalHours).toBe(24);
    expect(backupSettingsPatch(odd, formFromSaved(odd))).toEqual({ backup_interval_hours: 24 });
  });

  it('refuses an empty, fractional or out-of-range retention', () => {
    for (const retention of ['', '0', '101', '2.5', 'abc']) {
      expect(validateBackupSettings({ ...formFromSaved(SAVED), retention }).retention, retention).toBe('settings.auto.retentionInvalid');
    }
    expect(validateBackupSettings({ ...formFromSaved(SAVED), retention: 100 })).toEqual({});
  });

  it('saves the shown path while config.json holds a refused one, without calling the form dirty', () => {
    const refused = {
      ...SAVED,
      backupPathWarning: {
        path: '/etc',
        code: 'PATH_NOT_ALLOWED',
        message: 'The backup path must lie inside /srv (BROWSE_ROOTS); /etc does not.',
      },
    };
    const form = formFromSaved(refused);
    expect(isBackupSettingsDirty(refused, form)).toBe(false);
    expect(canSaveBackupSettings(refused, form)).toBe(true);
    expect(backupSettingsSave(refused, form)).toEqual({ backup_path: '/backups' });
    expect(backupSettingsSave(refused, { ...form, path: '/mnt/nas', retention: 3 })).toEqual({
      backup_path: '/mnt/nas',
      backup_retention: 3,
    });
    expect(canSaveBackupSettings(SAVED, formFromSaved(SAVED))).toBe(false);
  });

  it('sends the changed retention by age, an emptied field as 0 (off)', () => {
    const saved = { ...SAVED, backup_retention_days: 30, backup_retention_monthly: 6 };
    const form = { ...formFromSaved(saved), days: '', daily: 7, weekly: '4', includeManual: true };
    expect(backupSettingsPatch(saved, form)).toEqual({
      backup_retention_days: 0,
      backup_retention_daily: 7,
      backup_retention_weekly: 4,
      backup_retention_include_manual: true,
    });
  });

  it('refuses a fractional, negative or too large age field, with the limit of each', () => {
    const form = formFromSaved(SAVED);
    expect(validateBackupSettings({ ...form, days: '3651', daily: '-1', weekly: '521', monthly: '1.5' })).toEqual({
      days: 'retention.daysInvalid',
      daily: 'retention.dailyInvalid',
      weekly: 'retention.weeklyInvalid',
      monthly: 'retention.monthlyInvalid',
    });
    expect(validateBackupSettings({ ...form, days: 3650, daily: '', weekly: 520, monthly: '1200' })).toEqual({});
  });

  it('gives the rule the preview checks: keep N always, the age parts that are on, manual and pre-restore backups as chosen', () => {
    expect(retentionRule(formFromSaved(SAVED))).toEqual({ keepLast: 5, includeManual: false, includePreRestore: false });
    expect(
      retentionRule({
        ...formFromSaved(SAVED),
        retention: ' 3 ',
        days: '0',
        daily: '7',
        monthly: 12,
        includeManual: true,
        includePreRestore: true,
      }),
    ).toEqual({ keepLast: 3, daily: 7, monthly: 12, includeManual: true, includePreRestore: true });
  });

  it('sends the pre-restore box only when it changed, and counts it as a changed retention', () => {
    const form = formFromSaved(SAVED);
    expect(backupSettingsPatch(SAVED, { ...form, includePreRestore: true })).toEqual({ backup_retention_include_pre_restore: true });
    expect(isRetentionChanged(SAVED, { ...form, includePreRestore: true })).toBe(true);
    const saved = { ...SAVED, backup_retention_include_pre_restore: true };
    expect(formFromSaved(saved).includePreRestore).toBe(true);
    expect(backupSettingsPatch(saved, formFromSaved(saved))).toEqual({});
  });

  it('asks for the preview only when the retention changed, not for a path or interval alone', () => {
    const form = formFromSaved(SAVED);
    expect(isRetentionChanged(SAVED, { ...form, path: '/mnt/nas', intervalHours: 168 })).toBe(false);
    expect(isRetentionChanged(SAVED, { ...form, retention: 4 })).toBe(true);
    expect(isRetentionChanged(SAVED, { ...form, weekly: '2' })).toBe(true);
    expect(isRetentionChanged(SAVED, { ...form, includeManual: true })).toBe(true);
    expect(isRetentionChanged(SAVED, { ...form, daily: '' })).toBe(false);
  });
});
