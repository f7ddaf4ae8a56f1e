/**
 * Journey 4: a hostile archive (a member escaping the data directory) and a file that is not
 * gzip are each refused with their specific reason; Back returns to the start; nothing in the
 * data or backup directory changed.
 */
import { expect, screenshot, test } from '../support/test.ts';
import { hostileArchive, notGzip, snapshotTree } from '../support/archives.ts';

// The browser logs every 4xx answer as a console error; these two are the point of the test.
test.use({ allowedConsoleErrors: [/Failed to load resource: the server responded with a status of 400/] });

test('shows the specific error for a hostile and a non-gzip archive and changes nothing on disk', async ({ page, locker }) => {
  await page.goto('/setup');
  const before = { data: snapshotTree(locker.dataDir), backups: snapshotTree(locker.backupDir) };

  await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
  await page.getByLabel('Select backup file (.tar.gz)', { exact: true }).setInputFiles({
    name: 'docsight_backup_2026-11-26_070713.tar.gz',
    mimeType: 'application/gzip',
    buffer: hostileArchive(),
  });
  const error = page.getByTestId('restore-error');
  await expect(error).toContainText('Invalid backup file');
  await expect(error).toContainText('The archive holds ../escaped.txt, an unsafe path');
  await expect(page.getByTestId('archive-summary')).toHaveCount(0);
  await expect(page.getByTestId('restore-confirm')).toHaveCount(0);
  await screenshot(page, 'restore-error');

  await page.getByLabel('Select backup file (.tar.gz)', { exact: true }).setInputFiles({
    name: 'notes.tar.gz',
    mimeType: 'application/gzip',
    buffer: notGzip(),
  });
  await expect(error).toContainText('This is not a backup archive: the file is not gzip-compressed');
  await expect(error).not.toContainText('unsafe path');

  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Your DOCSight data, backed up and restorable anywhere', exact: true })).toBeVisible();

  expect(snapshotTree(locker.dataDir)).toEqual(before.data);
  expect(snapshotTree(locker.backupDir)).toEqual(before.backups);
  expect(snapshotTree(locker.root + '/escaped.txt')).toEqual({});
});
