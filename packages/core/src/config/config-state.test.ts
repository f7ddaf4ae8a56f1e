import { describe, expect, it } from 'vitest';
import type { ConfigRecord } from './config-schema.ts';
import { isBackupConfigured, isConfigured, isDemoMode } from './config-state.ts';

describe('isDemoMode / isConfigured', () => {
  const cases: Array<[string, ConfigRecord, boolean, boolean]> = [
    // [name, config, isDemoMode, isConfigured]
    ['empty config', {}, false, false],
    ['modem_type saved', { modem_type: 'fritzbox' }, false, true],
    ['modem_type saved as empty string', { modem_type: '' }, false, true],
    ['modem_type saved as null', { modem_type: null }, false, true],
    ['only other keys', { language: 'de', modem_url: 'http://192.168.100.1' }, false, false],
    ['demo_mode true', { demo_mode: true }, true, true],
    ['demo_mode false', { demo_mode: false }, false, false],
    ['demo_mode string "false" (truthy in Python)', { demo_mode: 'false' }, true, true],
    ['demo_mode empty string', { demo_mode: '' }, false, false],
    ['demo_mode 0', { demo_mode: 0 }, false, false],
    ['demo_mode 1', { demo_mode: 1 }, true, true],
    ['demo_mode empty list', { demo_mode: [] }, false, false],
    ['demo_mode null with modem_type', { demo_mode: null, modem_type: 'vodafone' }, false, true],
  ];

  it.each(cases)('%s', (_name, config, demo, configured) => {
    expect(isDemoMode(config)).toBe(demo);
    expect(isConfigured(config)).toBe(configured);
  });
});

describe('isBackupConfigured', () => {
  const cases: Array<[string, ConfigRecord, boolean]> = [
    ['nothing saved (disabled by default)', {}, false],
    ['enabled, default path', { backup_enabled: true }, true],
    ['enabled, own path', { backup_enabled: true, backup_path: '/mnt/nas' }, true],
    ['enabled, empty path', { backup_enabled: true, backup_path: '' }, false],
    ['enabled, null path', { backup_enabled: true, backup_path: null }, false],
    ['disabled', { backup_enabled: false }, false],
    ['string "true"', { backup_enabled: 'true' }, true],
    ['string "TRUE"', { backup_enabled: 'TRUE' }, true],
    ['string "1"', { backup_enabled: '1' }, true],
    ['string "Yes"', { backup_enabled: 'Yes' }, true],
    ['string "on" (not a true string for _get_bool)', { backup_enabled: 'on' }, false],
    ['string "false"', { backup_enabled: 'false' }, false],
    ['string " true" with space', { backup_enabled: ' true' }, false],
    ['number 1', { backup_enabled: 1 }, true],
    ['number 0', { backup_enabled: 0 }, false],
    ['null', { backup_enabled: null }, false],
  ];

  it.each(cases)('%s', (_name, config, expected) => {
    expect(isBackupConfigured(config)).toBe(expected);
  });
});
