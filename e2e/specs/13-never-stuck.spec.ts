/**
 * Journey 13, never stuck: a page that follows a job always learns what became of it. The server
 * goes away during a backup (a crash): the page says the connection is lost and keeps trying;
 * once the server is back it says the backup was interrupted and nothing was saved, and Backup Now
 * works again. A running backup is cancelled from the page. A verified backup is still verified
 * after a restart. In English, and in German where the words matter.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lockerArgs } from '@evidence-locker/harness';
import type { Page } from '@playwright/test';
import { expect, test } from '../support/test.ts';

/**
 * Two months of user data in a configured instance (a backup of it takes a few seconds), seeded
 * once per worker by the built CLI and copied into each test's data directory before its server
 * starts (a test's `prepare` runs synchronously).
 */
let seeded: string | undefined;

function seededDataDir(): string {
  if (seeded === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'locker-e2e-seed-'));
    execFileSync(
      process.execPath,
      lockerArgs(['seed', '--data-dir', path.join(dir, 'data'), '--months', '2', '--configured', '--seed', '13']),
      {
        stdio: 'pipe',
      },
    );
    seeded = path.join(dir, 'data');
  }
  return seeded;
}

test.afterAll(() => {
  if (seeded !== undefined) fs.rmSync(path.dirname(seeded), { recursive: true, force: true });
});

test.use({
  lockerOptions: {
    prepare: (root) => fs.cpSync(seededDataDir(), path.join(root, 'data'), { recursive: true }),
  },
  // While the server is down the browser logs every request it could not make, and the progress
  // stream that broke off; here they are the point.
  allowedConsoleErrors: [/net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE|INCOMPLETE_CHUNKED_ENCODING)/],
});

/** Presses Backup Now and waits until the backup runs (its progress and its Cancel button show). */
async function startBackup(page: Page, cancelName: string): Promise<void> {
  await page.getByTestId('backup-now').click();
  await expect(page.getByTestId('progress')).toBeVisible();
  await expect(page.getByRole('button', { name: cancelName, exact: true })).toBeEnabled();
}

test('says the connection is lost while the server is down, then that the backup was interrupted, and lets the user go on', async ({
  page,
  locker,
}) => {
  await page.goto('/settings');
  const backupNow = page.getByRole('button', { name: 'Backup Now', exact: true });
  await expect(page.getByTestId('backup-list-empty')).toBeVisible();

  await startBackup(page, 'Cancel');
  await locker.halt({ crash: true });
  await expect(page.getByTestId('job-connection-lost')).toHaveText('Lost connection, retrying…');
  await expect(backupNow).toBeDisabled();

  await locker.restart();
  await expect(page.getByRole('alert')).toHaveText('The backup was interrupted; nothing was saved.');
  await expect(page.getByTestId('job-connection-lost')).toBeHidden();
  await expect(page.getByTestId('progress')).toBeHidden();
  await expect(backupNow).toBeEnabled();
  // True: the restarted server swept the crashed backup's work files, and no archive was published.
  await expect(page.getByTestId('backup-list-empty')).toBeVisible();

  // Cancel a running backup from the page: it ends cancelled, nothing saved, and the button is back.
  await startBackup(page, 'Cancel');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('The backup was cancelled; nothing was saved.');
  await expect(backupNow).toBeEnabled();
  await expect(page.getByTestId('backup-list-empty')).toBeVisible();

  // And the next backup runs to its end.
  await backupNow.click();
  await expect(page.getByTestId('backup-now-result')).toContainText('Backup saved to server: docsight_backup_');
  await expect(page.getByTestId('backup-row')).toHaveCount(1);
});

test('keeps a backup verified across a restart of the server', async ({ page, locker }) => {
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Backup Now', exact: true }).click();
  await expect(page.getByTestId('backup-now-result')).toContainText('Backup saved to server: docsight_backup_');
  const row = page.getByTestId('backup-row');
  await expect(row).toContainText('Not verified');
  const fileName = await row.getAttribute('data-file');
  await page.getByRole('button', { name: `Verify ${fileName}`, exact: true }).click();
  await expect(page.getByTestId('list-result')).toHaveText(`✓ ${fileName} is intact.`);
  await expect(row.getByText('✓ Verified', { exact: true })).toBeVisible();

  await locker.halt();
  await locker.restart();
  await page.reload();
  await expect(page.getByTestId('backup-row')).toHaveCount(1);
  await expect(page.getByTestId('backup-row').getByText('✓ Verified', { exact: true })).toBeVisible();
});

test.describe('in German', () => {
  test.use({ locale: 'de-DE' });

  test('sagt, dass die Verbindung fehlt, und was aus der Sicherung wurde', async ({ page, locker }) => {
    await page.goto('/settings');
    const backupNow = page.getByRole('button', { name: 'Jetzt sichern', exact: true });

    await startBackup(page, 'Abbrechen');
    await locker.halt({ crash: true });
    await expect(page.getByTestId('job-connection-lost')).toHaveText('Verbindung verloren, neuer Versuch…');
    await expect(backupNow).toBeDisabled();

    await locker.restart();
    await expect(page.getByRole('alert')).toHaveText('Die Sicherung wurde unterbrochen; es wurde nichts gespeichert.');
    await expect(backupNow).toBeEnabled();

    await startBackup(page, 'Abbrechen');
    await page.getByRole('button', { name: 'Abbrechen', exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText('Die Sicherung wurde abgebrochen; es wurde nichts gespeichert.');
    await expect(backupNow).toBeEnabled();
  });
});
