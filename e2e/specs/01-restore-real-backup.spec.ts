/**
 * Journey 1: a fresh instance, restored from a real DOCSight backup (a-real-1m) in the first-run
 * wizard. The archive is uploaded once, its contents are shown, and after the restore the finish
 * step says what was restored and the dashboard shows the archive's modem and row counts.
 */
import { expect, screenshot, test } from '../support/test.ts';
import { REAL_ARCHIVE } from '../support/archives.ts';

test('restores a real DOCSight backup on first run and shows its data on the dashboard', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Your DOCSight data, backed up and restorable anywhere', exact: true })).toBeVisible();
  await screenshot(page, 'first-run');

  // Restore first, then the demo and a new setup: three equal choices side by side.
  const restore = await page.getByTestId('choice-restore').boundingBox();
  const demo = await page.getByTestId('choice-demo').boundingBox();
  const setUpNew = await page.getByTestId('choice-new').boundingBox();
  expect(restore!.x).toBeLessThan(demo!.x);
  expect(demo!.x).toBeLessThan(setUpNew!.x);

  await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Restore Backup', exact: true })).toBeVisible();
  await screenshot(page, 'restore-pick');

  await page.getByLabel('Select backup file (.tar.gz)', { exact: true }).setInputFiles(REAL_ARCHIVE);
  const summary = page.getByTestId('archive-summary');
  await expect(summary).toBeVisible();
  await expect(page.getByTestId('archive-version')).toHaveText('v2026-08-21.1');
  // 07:07:13 UTC is 08:07 in Berlin (the browser's zone in these tests).
  await expect(page.getByTestId('archive-date')).toHaveText('Nov 26, 2026, 8:07 AM');
  await expect(page.getByTestId('archive-config')).toHaveText('Included (modem settings and keys)');
  await expect(page.getByTestId('archive-files')).toContainText('docsis_history.db');
  await expect(page.getByTestId('archive-files')).toContainText('config.json');
  // What it holds in a person's words; table names only under Details.
  await expect(summary.getByTestId('evidence-words')).toHaveText(/^2,880 signal snapshots, 77 speed tests, 19 modem events, /);
  await summary.getByText('Details: tables and files', { exact: true }).click();
  const tables = page.getByTestId('archive-tables');
  await expect(tables.getByRole('row', { name: /snapshots 2,880/ })).toBeVisible();
  await expect(tables.getByRole('row', { name: /weather_data 744/ })).toBeVisible();
  await screenshot(page, 'restore-summary');

  await page.getByTestId('restore-confirm').click();
  await expect(page.getByRole('heading', { name: '✓ Backup restored', exact: true })).toBeVisible();
  await expect(page.getByTestId('restored-counts')).toContainText('2,880 signal snapshots');
  await page.getByRole('button', { name: 'Go to the dashboard', exact: true }).click();

  // No admin password in this archive: on to the dashboard.
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
  const modem = page.getByTestId('dashboard-modem');
  await expect(modem).toContainText('fritzbox');
  await expect(modem).toContainText('http://192.168.178.1');
  await expect(page.getByTestId('evidence-words')).toHaveText(/^\d+ days of signal history \(.+ – .+\), 77 speed tests, 19 modem events, /);
  const history = page.getByTestId('history-tables');
  await expect(history.locator('tr[data-table="snapshots"] td.num')).toHaveText('2,880');
  await expect(history.locator('tr[data-table="events"] td.num')).toHaveText('19');
  await expect(history.locator('tr[data-table="speedtest_results"] td.num')).toHaveText('77');
  await expect(page.getByTestId('cm-tables').locator('tr[data-table="connection_samples"] td.num')).toHaveText('51,840');
  await expect(page.getByTestId('history-range')).toContainText('History from');
  await expect(page.getByTestId('demo-banner')).toHaveCount(0);
  await screenshot(page, 'dashboard');
});
