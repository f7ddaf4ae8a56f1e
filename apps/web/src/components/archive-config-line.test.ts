import { describe, expect, it } from 'vitest';
import { archiveConfigLineKey } from './archive-config-line.ts';

const facts = { configured: true, modem: true, leavesDemoMode: false, adminPassword: false };

describe('archiveConfigLineKey', () => {
  it('promises modem settings only when the restored config has a modem', () => {
    expect(archiveConfigLineKey(true, facts)).toBe('restore.configYes');
    expect(archiveConfigLineKey(true, { ...facts, modem: false })).toBe('restore.configNoModemType');
  });

  it('says a demo instance’s backup without a modem leaves demo mode and continues with the modem', () => {
    expect(archiveConfigLineKey(true, { configured: false, modem: false, leavesDemoMode: true, adminPassword: false })).toBe(
      'restore.configDemoNoModem',
    );
  });

  it('says a config without a modem continues with the modem setup', () => {
    expect(archiveConfigLineKey(true, { ...facts, configured: false, modem: false })).toBe('restore.configNoModem');
  });

  it('says only "included" when the server gave no verdict, and "not included" without a config', () => {
    expect(archiveConfigLineKey(true, undefined)).toBe('restore.configIncluded');
    expect(archiveConfigLineKey(true, null)).toBe('restore.configIncluded');
    expect(archiveConfigLineKey(false, null)).toBe('restore.configNo');
  });
});
