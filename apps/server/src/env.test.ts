import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from './env.ts';

describe('loadEnv', () => {
  it('uses the documented defaults, resolved against the working directory', () => {
    const env = loadEnv({}, '/srv/locker');
    expect(env).toEqual({
      dataDir: '/srv/locker/data',
      backupDir: '/srv/locker/backups',
      host: '127.0.0.1',
      port: 8765,
      browseRoots: ['/srv/locker/backups', '/srv/locker/data'],
      demoMode: undefined,
      logLevel: 'info',
      allowedHosts: [],
    });
  });

  it('reads every variable', () => {
    const env = loadEnv(
      {
        DATA_DIR: '/data',
        BACKUP_DIR: 'b',
        HOST: '0.0.0.0',
        PORT: '9000',
        BROWSE_ROOTS: '/mnt/nas:/backup/',
        DEMO_MODE: 'Yes',
        LOG_LEVEL: 'debug',
        SCHEDULE_START_DELAY_SECONDS: '5',
        ALLOWED_HOSTS: 'locker.lan, NAS.Local.,[fd00::5] 192.168.1.20',
      },
      '/w',
    );
    expect(env).toMatchObject({
      dataDir: '/data',
      backupDir: '/w/b',
      host: '0.0.0.0',
      port: 9000,
      browseRoots: ['/mnt/nas', '/backup'],
      demoMode: true,
      logLevel: 'debug',
      scheduleStartDelayMs: 5000,
      allowedHosts: ['locker.lan', 'nas.local', 'fd00::5', '192.168.1.20'],
    });
  });

  it('reads ALLOWED_HOSTS=* as any name', () => {
    expect(loadEnv({ ALLOWED_HOSTS: '*' }).allowedHosts).toEqual(['*']);
  });

  it('treats an empty variable as unset', () => {
    expect(loadEnv({ PORT: '', DEMO_MODE: ' ' }, '/w')).toMatchObject({ port: 8765, demoMode: undefined });
  });

  it('reads SCHEDULE_START_DELAY_SECONDS=0 as no wait, and leaves it unset by default', () => {
    expect(loadEnv({ SCHEDULE_START_DELAY_SECONDS: '0' }).scheduleStartDelayMs).toBe(0);
    expect(loadEnv({}).scheduleStartDelayMs).toBeUndefined();
  });

  it.each([
    ['off', false],
    ['0', false],
    ['no', false],
    ['on', true],
    ['1', true],
  ])('reads DEMO_MODE=%s as %s', (raw, expected) => {
    expect(loadEnv({ DEMO_MODE: raw }).demoMode).toBe(expected);
  });

  it.each([
    ['PORT', 'abc', 'PORT must be an integer from 1 to 65535 (got "abc")'],
    ['PORT', '0', 'PORT must be an integer from 1 to 65535 (got "0")'],
    ['PORT', '65536', 'PORT must be an integer from 1 to 65535 (got "65536")'],
    ['PORT', '80.5', 'PORT must be an integer from 1 to 65535 (got "80.5")'],
    ['DEMO_MODE', 'maybe', 'DEMO_MODE must be one of true/false, 1/0, yes/no, on/off (got "maybe")'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")'],
    ['SCHEDULE_START_DELAY_SECONDS', '-1', 'SCHEDULE_START_DELAY_SECONDS must be a whole number of seconds from 0 to 86400 (got "-1")'],
    ['SCHEDULE_START_DELAY_SECONDS', '1.5', 'SCHEDULE_START_DELAY_SECONDS must be a whole number of seconds from 0 to 86400 (got "1.5")'],
    [
      'SCHEDULE_START_DELAY_SECONDS',
      '86401',
      'SCHEDULE_START_DELAY_SECONDS must be a whole number of seconds from 0 to 86400 (got "86401")',
    ],
    [
      'ALLOWED_HOSTS',
      'locker.lan:8765',
      'ALLOWED_HOSTS must list host names or addresses without a port or scheme, separated by commas, or * (got "locker.lan:8765" in "locker.lan:8765")',
    ],
    [
      'ALLOWED_HOSTS',
      'ok.lan,http://locker.lan',
      'ALLOWED_HOSTS must list host names or addresses without a port or scheme, separated by commas, or * (got "http://locker.lan" in "ok.lan,http://locker.lan")',
    ],
    ['BROWSE_ROOTS', '/ok:relative/dir', 'BROWSE_ROOTS must be absolute directories separated by ":" (got "/ok:relative/dir")'],
  ])('refuses %s=%s with a message naming the variable', (name, raw, message) => {
    let caught: unknown;
    try {
      loadEnv({ [name]: raw });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvError);
    expect((caught as EnvError).variable).toBe(name);
    expect((caught as EnvError).message).toBe(message);
  });
});
