import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n/i18n.ts';
import { backupNameDate, restoreConsequences } from './settings-restore-consequences.ts';

afterEach(() => setLocale('en'));

describe('restoreConsequences', () => {
  it('names the pre-restore backup, the logout, the admin password and what is replaced since the date', () => {
    const points = restoreConsequences('docsight_backup_2026-11-26_080713.tar.gz', '/backup');
    expect(points).toHaveLength(4);
    expect(points[0]).toBe(
      'First, a pre-restore backup of the current data is written to /backup, named docsight_backup_YYYY-MM-DD_HHMMSS.tar.gz and marked “Before restore”, so you can go back.',
    );
    expect(points[1]).toBe('Everyone is logged out, you included.');
    expect(points[2]).toBe("The admin password becomes the backup's; if the backup has none, this instance will have no admin password.");
    expect(points[3]).toMatch(/^What was recorded since the backup was made \(Nov 26, 2026, 8:07 AM\) is replaced by the backup's data\.$/);
  });

  it('says the same in German', () => {
    setLocale('de');
    const points = restoreConsequences('docsight_backup_2026-11-26_080713.tar.gz', '/backup');
    expect(points[0]).toContain('/backup');
    expect(points[1]).toBe('Alle werden abgemeldet, auch du.');
  });

  it('has no date for a name that is not a backup file name', () => {
    expect(backupNameDate('notes.txt')).toBeNull();
    expect(restoreConsequences('x.tar.gz', '/b')[3]).toBe("What was recorded since the backup was made is replaced by the backup's data.");
  });
});
