/**
 * Journey 5: restoring a stored backup onto a running, configured instance from the settings
 * list. The confirmation says a pre-restore backup is written first (and where); afterwards that backup is in
 * the list and the instance holds the archive's data (its modem, its row counts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, screenshot, test } from '../support/test.ts';
import { REAL_ARCHIVE } from '../support/archives.ts';
import { completeNewSetup } from '../support/setup-flow.ts';

test('restores a stored backup over the running instance after writing a pre-restore backup', async ({ page, locker }) => {
  await completeNewSetup(page, { modemUrl: 'http://10.0.0.1' });
  await expect(page.getByTestId('dashboard-modem')).toContainText('http://10.0.0.1');

  const archiveName = path.basename(REAL_ARCHIVE);
  fs.copyFileSync(REAL_ARCHIVE, path.join(locker.backupDir, archiveName));

  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const rows = page.getByTestId('backup-row');
  await expect(rows).toHaveCount(1);
  await rows.getByRole('button', { name: `Restore ${archiveName}`, exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Restore this backup?', exact: true });
  await expect(confirm).toContainText(`First, a pre-restore backup of the current data is written to ${locker.backupDir}`);
  await screenshot(page, 'settings-restore-confirm', { fullPage: false });
  await confirm.getByRole('button', { name: 'Restore', exact: true }).click();

  await expect(page.getByTestId('list-result')).toContainText(`Restored ${archiveName}. A pre-restore backup was saved as`);
  await expect(rows).toHaveCount(2);
  const preRestore = rows.filter({ has: page.getByTestId('backup-trigger').filter({ hasText: 'Before restore' }) });
  await expect(preRestore).toHaveCount(1);
  const preRestoreName = (await preRestore.getAttribute('data-file'))!;
  expect(fs.existsSync(path.join(locker.backupDir, preRestoreName))).toBe(true);

  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await expect(page.getByTestId('dashboard-modem')).toContainText('http://192.168.178.1');
  await expect(page.getByTestId('history-tables').locator('tr[data-table="snapshots"] td.num')).toHaveText('2,880');
  await expect(page.getByTestId('cm-tables').locator('tr[data-table="connection_samples"] td.num')).toHaveText('51,840');
});
