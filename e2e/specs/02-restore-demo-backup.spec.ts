/**
 * Journey 2: restoring the b-demo-1m fixture, a backup of a demo instance: its config has no modem,
 * only `demo_mode: true`, and its data is the user's own rows (demo rows are never backed up). The
 * restore leaves demo mode, so the wizard continues into the modem setup and then reaches the
 * dashboard with the archive's rows. The other way into a demo, "Try the demo", shows its progress and
 * opens the dashboard with the demo banner.
 */
import { expect, screenshot, test } from '../support/test.ts';
import { DEMO_ARCHIVE } from '../support/archives.ts';

test.describe('restoring a backup of a demo instance', () => {
  test('continues into the modem setup after restoring a backup without a modem', async ({ page }) => {
    await page.goto('/setup');
    await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
    await page.getByLabel('Select backup file (.tar.gz)', { exact: true }).setInputFiles(DEMO_ARCHIVE);
    await expect(page.getByTestId('archive-summary')).toBeVisible();
    await expect(page.getByTestId('evidence-words')).toHaveText('5 signal snapshots, 1 modem event, 1 journal entry, 744 weather readings');
    // Table names only under Details.
    await page.getByText('Details: tables and files', { exact: true }).click();
    await expect(page.getByTestId('archive-tables').getByRole('row', { name: /snapshots 5$/ })).toBeVisible();
    await page.getByTestId('restore-confirm').click();
    await expect(page.getByRole('heading', { name: '✓ Backup restored', exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Continue: connect your modem', exact: true }).click();

    await expect(page.getByTestId('restored-notice')).toContainText('no modem configured');
    await expect(page.getByRole('heading', { name: 'Connect your modem', exact: true })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Setup steps', exact: true }).locator('[aria-current="step"]')).toHaveText(/Modem/);
    await expect(page).toHaveURL(/\/setup$/);
    await screenshot(page, 'setup-after-restore');

    await page.getByLabel('Modem type', { exact: true }).selectOption('tc4400');
    await expect(page.getByLabel('Modem URL', { exact: true })).toHaveValue('http://192.168.100.1');
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByTestId('finish-setup').click();

    await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
    await expect(page.getByTestId('dashboard-modem')).toContainText('tc4400');
    await expect(page.getByTestId('history-tables').locator('tr[data-table="snapshots"] td.num')).toHaveText('5');
    await expect(page.getByTestId('history-tables').locator('tr[data-table="journal_entries"] td.num')).toHaveText('1');
  });
});

test('Try the demo generates the demo data with progress and opens the dashboard with the demo banner', async ({ page }) => {
  await page.goto('/setup');
  await page.getByTestId('start-demo').click();
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
  await expect(page.getByTestId('demo-banner')).toBeVisible();
  await expect(page.getByTestId('history-tables').locator('tr[data-table="snapshots"] td.num')).toHaveText('25,920');
  await screenshot(page, 'dashboard-demo');
});
