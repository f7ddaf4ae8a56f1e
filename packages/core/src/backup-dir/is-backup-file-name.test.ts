import { describe, expect, it } from 'vitest';
import { isBackupFileName, isPlainBackupFileName, isSealedBackupFileName, parseBackupFileTime } from './is-backup-file-name.ts';

describe('isBackupFileName', () => {
  it('accepts the DOCSight file name and a same-second collision suffix', () => {
    expect(isBackupFileName('docsight_backup_2026-11-26_070713.tar.gz')).toBe(true);
    expect(isBackupFileName('docsight_backup_2026-11-26_070713_2.tar.gz')).toBe(true);
    expect(isBackupFileName('docsight_backup_2026-11-26_070713_100.tar.gz')).toBe(true);
  });

  it('accepts a sealed backup: the plain name with .age appended, and tells the two apart', () => {
    const sealed = 'docsight_backup_2026-11-26_070713.tar.gz.age';
    const plain = 'docsight_backup_2026-11-26_070713_2.tar.gz';
    expect(isBackupFileName(sealed)).toBe(true);
    expect([isSealedBackupFileName(sealed), isPlainBackupFileName(sealed)]).toEqual([true, false]);
    expect([isSealedBackupFileName(plain), isPlainBackupFileName(plain)]).toEqual([false, true]);
    expect(parseBackupFileTime(sealed)).toEqual(new Date(2026, 10, 26, 7, 7, 13));
  });

  it.each([
    'config.json',
    'docsis_history.db',
    'docsight_backup_2026-11-26_070713.tar',
    'docsight_backup_2026-11-26_070713.tar.gz.tmp',
    '.docsight_backup_2026-11-26_070713.tar.gz.02x7awai.tmp',
    'docsight_backup_2026-11-26_0707.tar.gz',
    'docsight_backup_2026-11-26_070713_1000.tar.gz',
    'docsight_backup_latest.tar.gz',
    '../docsight_backup_2026-11-26_070713.tar.gz',
    'sub/docsight_backup_2026-11-26_070713.tar.gz',
    'docsight_backup_2026-11-26_070713.tar.gz/',
    'docsight_backup_2026-11-26_070713%2F.tar.gz',
    'docsight_backup_2026-11-26_070713.tar.gz\n',
    'docsight_backup_2026-11-26_070713.tar.gz.age.age',
    'docsight_backup_2026-11-26_070713.age',
    'docsight_backup_2026-11-26_070713.tar.gz.AGE',
    '',
  ])('rejects %j', (name) => {
    expect(isBackupFileName(name)).toBe(false);
  });
});

describe('parseBackupFileTime', () => {
  it('reads the name as local wall-clock time', () => {
    const time = parseBackupFileTime('docsight_backup_2026-11-26_070713_2.tar.gz');
    expect(time).toEqual(new Date(2026, 10, 26, 7, 7, 13));
  });

  it('gives null for a non-backup name or an impossible date', () => {
    expect(parseBackupFileTime('config.json')).toBeNull();
    expect(parseBackupFileTime('docsight_backup_2026-02-30_070713.tar.gz')).toBeNull();
    expect(parseBackupFileTime('docsight_backup_2026-11-26_250000.tar.gz')).toBeNull();
  });
});
