/**
 * Journey 12: restore from anywhere, and know what it will do. A person holding a backup file
 * uploads it in the settings and restores it like the others; the restore confirmation says
 * everything that will happen (in English and German); after a restore that sets an admin
 * password, the login page and then the settings still say what was restored and where the
 * pre-restore backup went; a demo instance's backup is previewed as what its restore gives; the
 * first screen offers restoring a backup as an equal first choice, and the finish step after a
 * restore says what was restored and turns on automatic backups; "Choose another file" opens the
 * file picker and keeps the keyboard focus.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, writeGermanConfig } from '../support/test.ts';
import { DEMO_ARCHIVE, REAL_ARCHIVE, notGzip } from '../support/archives.ts';
import { completeNewSetup } from '../support/setup-flow.ts';

const REAL_NAME = path.basename(REAL_ARCHIVE);
const DEMO_NAME = path.basename(DEMO_ARCHIVE);

/** The backup files in `dir` (the server's lease and work files left out). */
function backupFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.startsWith('docsight_backup_'));
}

/** Picks `file` through the file chooser that clicking `button` (by its exact name) opens. */
async function pickThrough(page: Page, button: string, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: button, exact: true }).click();
  await (await chooser).setFiles(file);
}

test.describe('upload a backup in the settings', () => {
  // The refused upload is answered 400, which the browser logs.
  test.use({ allowedConsoleErrors: [/status of 400/] });

  test('stores an uploaded backup in the list and restores it like the others', async ({ page, locker }) => {
    await completeNewSetup(page, { modemUrl: 'http://10.0.0.1' });
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await expect(page.getByTestId('backup-list-empty')).toBeVisible();

    // A file that is not a backup is refused with its reason, and nothing is stored.
    await pickThrough(page, 'Upload a backup', { name: 'notes.tar.gz', mimeType: 'application/gzip', buffer: notGzip() });
    await expect(page.getByTestId('list-error')).toHaveText(
      'notes.tar.gz was not stored. This is not a backup archive: the file is not gzip-compressed (.tar.gz).',
    );
    expect(backupFiles(locker.backupDir)).toEqual([]);

    await pickThrough(page, 'Upload a backup', REAL_ARCHIVE);
    await expect(page.getByTestId('list-result')).toHaveText(`✓ Uploaded ${REAL_NAME}: it is in the list as ${REAL_NAME}.`);
    const row = page.locator(`[data-testid="backup-row"][data-file="${REAL_NAME}"]`);
    await expect(row).toBeVisible();
    expect(backupFiles(locker.backupDir)).toEqual([REAL_NAME]);

    await row.getByRole('button', { name: `Restore ${REAL_NAME}`, exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Restore this backup?', exact: true });
    await expect(confirm.getByTestId('confirm-details').getByRole('listitem')).toHaveText([
      `First, a pre-restore backup of the current data is written to ${locker.backupDir}, named docsight_backup_YYYY-MM-DD_HHMMSS.tar.gz and marked “Before restore”, so you can go back.`,
      'Everyone is logged out, you included.',
      "The admin password becomes the backup's; if the backup has none, this instance will have no admin password.",
      // 07:07:13 in the server's zone, read in the browser's (both Europe/Berlin here).
      /^What was recorded since the backup was made \(Nov 26, 2026, 7:07 AM\) is replaced by the backup's data\.$/,
    ]);
    await confirm.getByRole('button', { name: 'Restore', exact: true }).click();

    await expect(page.getByTestId('list-result')).toContainText(
      `Restored ${REAL_NAME}. A pre-restore backup was saved as docsight_backup_`,
    );
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await expect(page.getByTestId('dashboard-modem')).toContainText('http://192.168.178.1');
  });
});

test.describe('the restore confirmation in German', () => {
  test.use({
    locale: 'de-DE',
    lockerOptions: {
      prepare: (root) => {
        writeGermanConfig(root);
        fs.copyFileSync(REAL_ARCHIVE, path.join(root, 'backups', path.basename(REAL_ARCHIVE)));
      },
    },
  });

  test('says in German everything the restore will do', async ({ page, locker }) => {
    await page.goto('/settings');
    await page.getByRole('button', { name: `${REAL_NAME} wiederherstellen`, exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Diese Sicherung wiederherstellen?', exact: true });
    await expect(confirm).toContainText(`Die Daten dieser Instanz werden durch ${REAL_NAME} ersetzt. Das passiert dabei:`);
    await expect(confirm.getByTestId('confirm-details').getByRole('listitem')).toHaveText([
      `Zuerst wird eine Sicherung der aktuellen Daten nach ${locker.backupDir} geschrieben, benannt docsight_backup_JJJJ-MM-TT_HHMMSS.tar.gz und als „Vor Wiederherstellung“ markiert, sodass du zurück kannst.`,
      'Alle werden abgemeldet, auch du.',
      'Das Admin-Passwort wird das der Sicherung; hat die Sicherung keins, hat diese Instanz danach kein Admin-Passwort.',
      /^Was seit der Erstellung der Sicherung \(26\.11\.2026, 07:07\) aufgezeichnet wurde, wird durch die Daten der Sicherung ersetzt\.$/,
    ]);
  });
});

test.describe('after a restore that sets an admin password', () => {
  // Pages asked for before the login are answered 401, which the browser logs.
  test.use({ allowedConsoleErrors: [/status of 401/] });

  test('the login page and then the settings say what was restored and name the pre-restore backup', async ({ page, locker }) => {
    await completeNewSetup(page, { adminPassword: 'correct horse' });
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('button', { name: 'Backup Now', exact: true }).click();
    const rows = page.getByTestId('backup-row');
    await expect(rows).toHaveCount(1);
    const backupName = (await rows.getAttribute('data-file'))!;

    await rows.getByRole('button', { name: `Restore ${backupName}`, exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Restore this backup?', exact: true })
      .getByRole('button', { name: 'Restore', exact: true })
      .click();

    await expect(page).toHaveURL(/\/login\?/);
    const notice = page.getByTestId('login-restored');
    await expect(notice).toContainText(`Restored ${backupName}.`);
    const preRestore = backupFiles(locker.backupDir).find((name) => name !== backupName);
    expect(preRestore).toMatch(/^docsight_backup_.*\.tar\.gz$/);
    await expect(page.getByTestId('login-pre-restore')).toHaveText(
      `What this instance held before was saved as ${preRestore} in the backup directory.`,
    );

    await page.getByLabel('Admin password', { exact: true }).fill('correct horse');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByTestId('list-result')).toHaveText(`✓ Restored ${backupName}. A pre-restore backup was saved as ${preRestore}.`);
  });
});

test("previews a demo instance's backup as what its restore gives: no modem, the setup goes on", async ({ page }) => {
  await page.goto('/setup');
  await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
  await page.getByLabel('Select backup file (.tar.gz)', { exact: true }).setInputFiles(DEMO_ARCHIVE);
  await expect(page.getByTestId('archive-config')).toHaveText(
    'Included, from a demo instance without a modem: demo mode is turned off, and the setup continues with connecting your modem',
  );
  await page.getByTestId('restore-confirm').click();
  await expect(page.getByRole('heading', { name: '✓ Backup restored', exact: true })).toBeVisible();
  await expect(page.getByTestId('restored-warnings')).toContainText('demo');
  await page.getByRole('button', { name: 'Continue: connect your modem', exact: true }).click();
  await expect(page.getByTestId('restored-notice')).toContainText('This backup has no modem configured.');
  await expect(page.getByRole('heading', { name: 'Connect your modem', exact: true })).toBeVisible();
});

test('the first screen offers three equal choices, and the finish step turns on automatic backups', async ({ page, locker }) => {
  await page.goto('/setup');
  await expect(page.getByRole('heading', { name: 'Your DOCSight data, backed up and restorable anywhere', exact: true })).toBeVisible();
  await expect(page.getByText(/^Evidence Locker is a backup product for DOCSight/)).toBeVisible();
  const choices = ['Restore from a backup', 'Try the demo', 'Set up new'];
  const boxes = [];
  for (const name of choices) {
    const button = page.getByRole('button', { name, exact: true });
    await expect(button).toBeVisible();
    await expect(page.getByRole('heading', { name, exact: true, level: 2 })).toBeVisible();
    boxes.push((await button.boundingBox())!);
  }
  // Equal: the same size and the same row, restore first.
  for (const box of boxes) {
    expect(Math.abs(box.width - boxes[0]!.width)).toBeLessThanOrEqual(1);
    expect(Math.abs(box.height - boxes[0]!.height)).toBeLessThanOrEqual(1);
  }
  expect(boxes[0]!.x).toBeLessThan(boxes[1]!.x);
  expect(boxes[1]!.x).toBeLessThan(boxes[2]!.x);

  await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
  await page.getByLabel('Select backup file (.tar.gz)', { exact: true }).setInputFiles(REAL_ARCHIVE);
  await page.getByTestId('restore-confirm').click();

  const finish = page.getByTestId('restore-finish');
  await expect(finish.getByRole('heading', { name: '✓ Backup restored', exact: true })).toBeVisible();
  await expect(page.getByTestId('restored-source')).toHaveText(`${REAL_NAME}, made Nov 26, 2026, 8:07 AM, is restored on this instance.`);
  await expect(page.getByTestId('restored-counts').getByRole('listitem')).toHaveText([
    '2,880 signal snapshots',
    '19 modem events',
    '77 speed tests',
    '3 journal entries',
  ]);
  await expect(page.getByTestId('restored-file')).toContainText(['docsis_history.db', 'config.json']);
  await expect(finish.getByRole('heading', { name: 'Automatic backups', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Turn on daily backups', exact: true }).click();
  await expect(page.getByTestId('restored-auto-on')).toHaveText(`✓ Automatic backups are on: every 24 hours into ${locker.backupDir}.`);

  await page.getByRole('button', { name: 'Go to the dashboard', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel('Enabled', { exact: true })).toBeChecked();
});

test('"Choose another file" opens the file picker and keeps the keyboard focus', async ({ page }) => {
  await page.goto('/setup');
  await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
  await pickThrough(page, 'choose a file', REAL_ARCHIVE);
  await expect(page.getByText(REAL_NAME, { exact: true })).toBeVisible();

  // By keyboard: the picker opens, and left without a file, the upload and the focus stay.
  const another = page.getByRole('button', { name: 'Choose another file', exact: true });
  await another.focus();
  const ignored = page.waitForEvent('filechooser');
  await page.keyboard.press('Enter');
  await ignored;
  await expect(another).toBeFocused();
  await expect(page.getByTestId('archive-summary')).toBeVisible();

  // A file picked replaces the upload, and the focus is back on the button.
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Enter');
  await (await chooser).setFiles(DEMO_ARCHIVE);
  await expect(page.getByText(DEMO_NAME, { exact: true })).toBeVisible();
  await expect(page.getByText(REAL_NAME, { exact: true })).toHaveCount(0);
  await expect(another).toBeFocused();
});
