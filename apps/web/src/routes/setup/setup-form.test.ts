import { describe, expect, it } from 'vitest';
import { chooseModemType, emptySetupForm, isValid, toCompleteSetupInput, validateModemStep, validateSecurityStep } from './setup-form.ts';
import type { ModemTypeOption } from '../../api/server-types.ts';

const TYPES: ModemTypeOption[] = [
  { key: 'fritzbox', name: 'AVM FRITZ!Box', defaultUrl: 'http://192.168.178.1' },
  { key: 'tc4400', name: 'Technicolor TC4400', defaultUrl: 'http://192.168.100.1' },
  { key: 'generic', name: 'Generic Router (No DOCSIS)', defaultUrl: null },
];

describe('chooseModemType', () => {
  it('suggests the default URL of the chosen modem', () => {
    expect(chooseModemType(emptySetupForm(), 'fritzbox', TYPES).modemUrl).toBe('http://192.168.178.1');
  });

  it('replaces a suggested URL when the type changes, but keeps one the user typed', () => {
    const suggested = chooseModemType(emptySetupForm(), 'fritzbox', TYPES);
    expect(chooseModemType(suggested, 'tc4400', TYPES).modemUrl).toBe('http://192.168.100.1');
    const typed = { ...suggested, modemUrl: 'http://10.0.0.1' };
    expect(chooseModemType(typed, 'tc4400', TYPES).modemUrl).toBe('http://10.0.0.1');
  });
});

describe('validateModemStep', () => {
  it('asks for a modem type and an http(s) URL with a host', () => {
    expect(validateModemStep(emptySetupForm())).toEqual({ modemType: 'setup.error.modemType', modemUrl: 'setup.error.url' });
    expect(validateModemStep({ ...emptySetupForm(), modemType: 'fritzbox', modemUrl: 'ftp://x' }).modemUrl).toBe('setup.error.url');
    expect(isValid(validateModemStep({ ...emptySetupForm(), modemType: 'fritzbox', modemUrl: ' https://modem.local ' }))).toBe(true);
  });
});

describe('validateSecurityStep', () => {
  it('accepts no admin password at all', () => {
    expect(validateSecurityStep(emptySetupForm())).toEqual({});
  });

  it('refuses a short password and a confirmation that differs', () => {
    expect(validateSecurityStep({ ...emptySetupForm(), adminPassword: 'short', adminPasswordConfirm: 'short' })).toEqual({
      adminPassword: 'setup.error.passwordShort',
    });
    expect(validateSecurityStep({ ...emptySetupForm(), adminPassword: 'long enough', adminPasswordConfirm: 'long enougH' })).toEqual({
      adminPasswordConfirm: 'setup.error.passwordMismatch',
    });
  });

  it('refuses a confirmation typed without a password', () => {
    expect(validateSecurityStep({ ...emptySetupForm(), adminPasswordConfirm: 'something' }).adminPassword).toBe(
      'setup.error.passwordShort',
    );
  });
});

describe('toCompleteSetupInput', () => {
  it('leaves out an empty admin password and trims the URL', () => {
    const form = {
      ...emptySetupForm(),
      modemType: 'fritzbox',
      modemUrl: ' http://192.168.178.1 ',
      modemUser: 'admin',
      modemPassword: 'pw',
    };
    expect(toCompleteSetupInput(form)).toEqual({
      modemType: 'fritzbox',
      modemUrl: 'http://192.168.178.1',
      modemUser: 'admin',
      modemPassword: 'pw',
    });
    expect(toCompleteSetupInput({ ...form, adminPassword: 'long enough' }).adminPassword).toBe('long enough');
  });
});
