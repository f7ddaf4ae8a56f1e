import { describe, expect, it } from 'vitest';
import {
  backupSettingsPatch,
  backupSettingsSave,
  canSaveBackupSettings,
  formFromSaved,
  isBackupSettingsDirty,
  validateBackupSettings,
  type SavedBackupSettings,
} from './settings-backup-form.ts';

const SAVED: SavedBackupSettings = { backup_enabled: false, backup_path: '/backups', backup_interval_hours: 24, backup_retention: 5 };

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
});
