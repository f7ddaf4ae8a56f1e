/**
 * Journey 3: a new setup, then Settings: automatic backups are turned on with a path chosen in
 * the Browse dialog (mouse and keyboard, breadcrumb, Esc), saved; Backup Now makes a backup that
 * appears in the list; it verifies, downloads as a real browser download that validates, and is
 * deleted after a confirmation. Leaving with unsaved changes asks first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '@evidence-locker/harness';
import { expect, screenshot, test } from '../support/test.ts';
import { completeNewSetup } from '../support/setup-flow.ts';

test.use({
  lockerOptions: {
    prepare: (root) => {
      fs.mkdirSync(path.join(root, 'storage/nas/evidence'), { recursive: true });
      fs.mkdirSync(path.join(root, 'storage/usb'), { recursive: true });
    },
    env: (root) => ({ BROWSE_ROOTS: `${path.join(root, 'storage')}:${path.join(root, 'backups')}` }),
  },
});

/** Runs `locker backup validate` on a file; throws when it is not a valid backup. */
async function validateArchive(file: string): Promise<string> {
  return (await runCli(['backup', 'validate', file])).stdout;
}

test('schedules, creates, verifies, downloads and deletes backups from the settings page', async ({ page, locker }, testInfo) => {
  const storage = path.join(locker.root, 'storage');
  const target = path.join(storage, 'nas/evidence');
  await completeNewSetup(page);

  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible();
  await expect(page.getByTestId('backup-list-empty')).toHaveText('No backups found');

  await page.getByLabel('Enabled', { exact: true }).check();
  // Esc closes the dialog and gives focus back to Browse.
  const browseButton = page.getByTestId('browse');
  await browseButton.click();
  const dialog = page.getByRole('dialog', { name: 'Select Directory', exact: true });
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(browseButton).toBeFocused();

  await browseButton.click();
  // It opens at the current backup path; the other allowed location is one click away.
  await expect(dialog.getByTestId('browse-path')).toHaveText(locker.backupDir);
  await dialog.getByRole('button', { name: storage, exact: true }).last().click();
  await expect(dialog.getByTestId('browse-path')).toHaveText(storage);
  await expect(dialog.getByTestId('browse-status')).toHaveText('2 directories');
  await dialog.getByRole('button', { name: 'nas', exact: true }).click();
  await expect(dialog.getByTestId('browse-path')).toHaveText(path.join(storage, 'nas'));
  // Keyboard: the first row (..) has focus; ArrowDown to "evidence", Enter opens it.
  await page.keyboard.press('ArrowDown');
  await expect(dialog.getByRole('button', { name: 'evidence', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog.getByTestId('browse-path')).toHaveText(target);
  await expect(dialog.getByTestId('browse-status')).toHaveText('Empty directory');
  const crumbs = dialog.getByRole('navigation', { name: 'Current location', exact: true });
  await expect(crumbs.getByRole('button')).toHaveText([storage, 'nas', 'evidence']);
  // Tab stays inside the dialog.
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);
  }
  await screenshot(page, 'settings-browse', { fullPage: false });
  await dialog.getByTestId('browse-select').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByLabel('Backup Path', { exact: true })).toHaveValue(target);
  await page.getByLabel('Interval', { exact: true }).selectOption({ label: 'Weekly' });
  await page.getByLabel('Keep backups', { exact: true }).fill('3');

  // Unsaved changes: leaving asks, and dismissing stays on the page. The URL is /settings before
  // the click too, so the test waits for the question first; only then does the URL say something.
  const asked: string[] = [];
  page.once('dialog', (question) => {
    asked.push(question.message());
    void question.dismiss();
  });
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await expect.poll(() => asked).toEqual(['You have unsaved backup settings. Leave without saving?']);
  await expect(page).toHaveURL(/\/settings$/);

  await page.getByTestId('save-settings').click();
  await expect(page.getByText('✓ Settings saved', { exact: true })).toBeVisible();
  await expect(page.getByTestId('next-run')).toBeVisible();
  await expect(page.getByTestId('next-run')).not.toHaveText('Not scheduled');

  await page.getByTestId('backup-now').click();
  await expect(page.getByTestId('backup-now-result')).toContainText('Backup saved to server: docsight_backup_');
  const row = page.getByTestId('backup-row');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('backup-trigger')).toHaveText('Manual');
  const fileName = (await row.getAttribute('data-file'))!;
  expect(fs.existsSync(path.join(target, fileName))).toBe(true);

  await row.getByRole('button', { name: `Verify ${fileName}`, exact: true }).click();
  await expect(page.getByTestId('list-result')).toContainText(`${fileName} is intact.`);
  await expect(row).toContainText('Verified');
  await screenshot(page, 'settings');

  // A stored backup downloads as a file with its own name, and it validates.
  const [stored] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('link', { name: `Download ${fileName}`, exact: true }).click(),
  ]);
  expect(stored.suggestedFilename()).toBe(fileName);
  const storedPath = testInfo.outputPath(fileName);
  await stored.saveAs(storedPath);
  expect(await validateArchive(storedPath)).toContain('Valid backup');

  // So does a fresh one made on request.
  const [fresh] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-fresh').click()]);
  expect(fresh.suggestedFilename()).toMatch(/^docsight_backup_\d{4}-\d{2}-\d{2}_\d{6}\.tar\.gz$/);
  const freshPath = testInfo.outputPath(fresh.suggestedFilename());
  await fresh.saveAs(freshPath);
  expect(await validateArchive(freshPath)).toContain('Valid backup');

  await row.getByRole('button', { name: `Delete ${fileName}`, exact: true }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete backup', exact: true });
  await expect(confirm).toContainText(fileName);
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByTestId('backup-list-empty')).toBeVisible();
  expect(fs.existsSync(path.join(target, fileName))).toBe(false);
});
