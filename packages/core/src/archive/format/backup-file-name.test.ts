import { describe, expect, it } from 'vitest';
import { isBackupFileName } from '../../backup-dir/is-backup-file-name.ts';
import { backupFileName } from './backup-file-name.ts';

describe('backupFileName', () => {
  it("names a backup after the local time like DOCSight's strftime pattern", () => {
    expect(backupFileName(new Date(2026, 0, 5, 7, 3, 9))).toBe('docsight_backup_2026-01-05_070309.tar.gz');
  });

  it('recognises exactly the names DOCSight lists', () => {
    expect(isBackupFileName('docsight_backup_2026-11-26_070713.tar.gz')).toBe(true);
    expect(isBackupFileName('.evidence-locker-partial-1.tar.gz')).toBe(false);
    expect(isBackupFileName('docsight_backup_2026-11-26_070713.tar.gz.tmp')).toBe(false);
    expect(isBackupFileName('../docsight_backup_2026-11-26_070713.tar.gz')).toBe(false);
  });
});
