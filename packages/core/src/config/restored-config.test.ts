import { describe, expect, it } from 'vitest';
import { configAfterRestore, describeRestoredConfig } from './restored-config.ts';

describe('describeRestoredConfig', () => {
  it('says a demo instance without a modem restores unconfigured and out of demo mode, as the restore does', () => {
    expect(describeRestoredConfig({ demo_mode: true, language: 'en' })).toEqual({
      configured: false,
      modem: false,
      leavesDemoMode: true,
      adminPassword: false,
    });
    expect(configAfterRestore({ demo_mode: true, language: 'en' })).toEqual({ config: { language: 'en' }, leftDemoMode: true });
  });

  it('keeps demo mode when the demo config names a modem', () => {
    expect(describeRestoredConfig({ demo_mode: true, modem_type: 'fritzbox' })).toEqual({
      configured: true,
      modem: true,
      leavesDemoMode: false,
      adminPassword: false,
    });
  });

  it('counts a saved empty modem_type as configured but not as a modem (DOCSight’s is_configured)', () => {
    expect(describeRestoredConfig({ modem_type: '' })).toMatchObject({ configured: true, modem: false });
  });

  it('reports an admin password only when one is saved', () => {
    expect(describeRestoredConfig({ modem_type: 'tc4400', admin_password: 'pbkdf2:sha256:1$salt$hash' })).toMatchObject({
      configured: true,
      modem: true,
      adminPassword: true,
    });
    expect(describeRestoredConfig({ modem_type: 'tc4400', admin_password: '' }).adminPassword).toBe(false);
  });

  it('counts the string "false" as demo mode, as Python’s bool() does', () => {
    expect(describeRestoredConfig({ demo_mode: 'false' })).toMatchObject({ configured: false, leavesDemoMode: true });
  });
});
