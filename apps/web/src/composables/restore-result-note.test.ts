import { afterEach, describe, expect, it } from 'vitest';
import { keepRestoreResult, readRestoreResult } from './restore-result-note.ts';

afterEach(() => sessionStorage.clear());

describe('restore result note', () => {
  it('keeps what a restore did across a page change, until the page that shows it forgets it', () => {
    keepRestoreResult('docsight_backup_2026-11-26_080713.tar.gz', {
      preRestoreBackup: { fileName: 'docsight_backup_2030-01-02_030405.tar.gz', size: 10 },
    });
    expect(readRestoreResult()).toEqual({
      source: 'docsight_backup_2026-11-26_080713.tar.gz',
      preRestoreBackup: 'docsight_backup_2030-01-02_030405.tar.gz',
    });
    expect(readRestoreResult({ forget: true })).not.toBeNull();
    expect(readRestoreResult()).toBeNull();
  });

  it('keeps a restore without a pre-restore backup, and ignores what it cannot read', () => {
    keepRestoreResult('backup.tar.gz', { preRestoreBackup: null });
    expect(readRestoreResult()).toEqual({ source: 'backup.tar.gz', preRestoreBackup: null });
    sessionStorage.setItem('evidence-locker.restore-result', '{not json');
    expect(readRestoreResult()).toBeNull();
  });
});
