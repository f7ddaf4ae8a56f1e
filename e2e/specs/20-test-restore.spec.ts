/**
 * Journey 20, proof of restorability: the settings' "Test restore" section says nothing is proven
 * while no test restore passed; Run now without a backup says to make one; after Backup now a test
 * restore passes and the section says "Restorable as of" the backup's time; a damaged newest backup
 * fails the next one with its cause in the user's words, while "restorable as of" keeps the last
 * good one; the interval is checked and saved. On a phone, in German and the dark theme, too.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, expectNoHorizontalOverflow, screenshot, test, GERMAN_PHONE } from '../support/test.ts';

/** The section, by its heading. */
const section = (page: Page, name: string) => page.getByRole('region', { name, exact: true });

async function backupNow(page: Page): Promise<void> {
  await page.getByTestId('backup-now').click();
  await expect(page.getByTestId('backup-now-result')).toBeVisible();
}

test.describe('test restore', () => {
  test.use({
    // Run now without a backup is answered 404.
    allowedConsoleErrors: [/status of 404/],
    lockerOptions: {
      prepare: (root) => fs.writeFileSync(path.join(root, 'data', 'config.json'), JSON.stringify({ modem_type: 'fritzbox' })),
    },
  });

  test('proves the newest backup restores, reports a damaged one by its cause, and saves the interval', async ({ page, locker }) => {
    await page.goto('/settings');
    const proof = section(page, 'Test restore');
    await expect(proof.getByTestId('restorable-as-of')).toHaveText('Not proven yet: no test restore has passed.');
    await expect(proof.getByTestId('test-restore-last')).toHaveText('No test restore yet.');

    await proof.getByRole('button', { name: 'Run test restore now', exact: true }).click();
    await expect(proof.getByTestId('test-restore-error')).toHaveText(
      `There is no backup in ${locker.backupDir} to test yet; make one first.`,
    );

    await backupNow(page);
    await proof.getByRole('button', { name: 'Run test restore now', exact: true }).click();
    await expect(proof.getByTestId('test-restore-result')).toHaveText('✓ The test restore passed: the newest backup restores.');
    await expect(proof.getByTestId('restorable-as-of')).toHaveText(/^✓ Restorable as of \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$/);
    await expect(proof.getByTestId('test-restore-last')).toContainText('Passed on');
    const restorableAsOf = await proof.getByTestId('restorable-as-of').textContent();
    // The scratch directory is gone: the backup directory holds the backup (and its verification record) only.
    expect(fs.readdirSync(locker.backupDir).filter((name) => name.startsWith('.evidence-locker-test-restore-'))).toEqual([]);

    // A newer file that is no archive: the next test restore fails with the cause, the last good one stays.
    const damaged = 'docsight_backup_2099-01-01_000000.tar.gz';
    fs.writeFileSync(path.join(locker.backupDir, damaged), 'damaged on the way to the disk');
    await proof.getByRole('button', { name: 'Run test restore now', exact: true }).click();
    const cause = 'This is not a backup archive: the file is not gzip-compressed (.tar.gz).';
    await expect(proof.getByTestId('test-restore-error')).toHaveText(cause);
    await expect(proof.getByTestId('test-restore-failure')).toHaveText(cause);
    await expect(proof.getByTestId('test-restore-last')).toContainText(`Failed on`);
    await expect(proof.getByTestId('test-restore-last')).toContainText(damaged);
    await expect(proof.getByTestId('restorable-as-of')).toHaveText(restorableAsOf!);
    await proof.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-test-restore');

    // The interval: whole days from 1 to 90, saved into the settings.
    const interval = proof.getByLabel('Days between test restores', { exact: true });
    await interval.fill('0');
    await proof.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(proof.getByText('Enter a whole number of days from 1 to 90.', { exact: true })).toBeVisible();
    await interval.fill('14');
    await proof.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(proof.getByText('✓ Settings saved', { exact: true })).toBeVisible();
    await page.reload();
    await expect(section(page, 'Test restore').getByLabel('Days between test restores', { exact: true })).toHaveValue('14');
    const config = JSON.parse(fs.readFileSync(path.join(locker.dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config['test_restore_interval_days']).toBe(14);
  });
});

test.describe('test restore on a phone, in German and the dark theme', () => {
  test.use(GERMAN_PHONE);

  test('runs a test restore and says the backup is restorable, without scrolling sideways', async ({ page }) => {
    await page.goto('/settings');
    await page.getByTestId('theme').selectOption('dark');
    const proof = section(page, 'Test-Wiederherstellung');
    await expect(proof.getByTestId('restorable-as-of')).toHaveText(
      'Noch nicht nachgewiesen: Keine Test-Wiederherstellung war bisher erfolgreich.',
    );
    await backupNow(page);
    await proof.getByRole('button', { name: 'Test-Wiederherstellung jetzt starten', exact: true }).click();
    await expect(proof.getByTestId('test-restore-result')).toHaveText(
      '✓ Die Test-Wiederherstellung war erfolgreich: Die neueste Sicherung lässt sich wiederherstellen.',
    );
    await expect(proof.getByTestId('restorable-as-of')).toHaveText(/^✓ Wiederherstellbar mit Stand \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/);
    await expect(proof.getByLabel('Test-Wiederherstellungen planmäßig ausführen', { exact: true })).toBeChecked();
    await expectNoHorizontalOverflow(page, 'the test restore section');
    await proof.scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-settings-test-restore-de-dark', { fullPage: false });
  });
});
