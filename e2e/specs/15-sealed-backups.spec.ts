/**
 * Journey 15: sealed backups. A person turns sealing on, downloads the recovery kit and says they
 * kept it; Backup Now writes a sealed backup (.tar.gz.age) and the fresh download is sealed too.
 * On a fresh instance the wizard reads the stored backup's header, asks for its key before the
 * upload, refuses another kit with its own message, and restores with the right kit. On a running
 * instance, a backup sealed with someone else's passphrase is uploaded and restored from the list:
 * each wrong passphrase is refused with its own message and the live data stays as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Page } from '@playwright/test';
import { generateSealIdentity, identityFileText, sealStream } from '@evidence-locker/core';
import { runCli } from '@evidence-locker/harness';
import { expect, expectNoHorizontalOverflow, screenshot, test, GERMAN_PHONE } from '../support/test.ts';
import { REAL_ARCHIVE, snapshotTree } from '../support/archives.ts';
import { completeNewSetup } from '../support/setup-flow.ts';
import { startLockerServer } from '../support/locker-server.ts';

const WRONG_IDENTITY =
  'The identity does not open this sealed backup: it was sealed for another key. Use the identity from the recovery kit that was current when this backup was made.';
const WRONG_PASSPHRASE =
  'Wrong passphrase: it does not open this sealed backup. Enter the passphrase that was set when this backup was made.';

/** Picks `file` through the file chooser that clicking `button` (by its exact name) opens. */
async function pickThrough(page: Page, button: string, file: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: button, exact: true }).click();
  await (await chooser).setFiles(file);
}

/** Restores the real DOCSight fixture through the wizard of the instance `page` is on, and opens the dashboard. */
async function restoreRealArchive(page: Page): Promise<void> {
  await page.goto('/setup');
  await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
  await page.getByLabel('Select backup file (.tar.gz)', { exact: true }).setInputFiles(REAL_ARCHIVE);
  await page.getByTestId('restore-confirm').click();
  await page.getByRole('button', { name: 'Go to the dashboard', exact: true }).click();
  await expect(page.getByTestId('dashboard-modem')).toContainText('http://192.168.178.1');
}

/** The instance's evidence as the dashboard counts it: the fixture's rows. */
async function expectRealEvidence(page: Page): Promise<void> {
  await expect(page.getByTestId('dashboard-modem')).toContainText('http://192.168.178.1');
  const history = page.getByTestId('history-tables');
  await expect(history.locator('tr[data-table="snapshots"] td.num')).toHaveText('2,880');
  await expect(history.locator('tr[data-table="events"] td.num')).toHaveText('19');
  await expect(history.locator('tr[data-table="speedtest_results"] td.num')).toHaveText('77');
  await expect(page.getByTestId('cm-tables').locator('tr[data-table="connection_samples"] td.num')).toHaveText('51,840');
}

test.describe('a sealed backup, kept with its recovery kit, restores on a fresh instance', () => {
  // A refused key is answered 400, which the browser logs.
  test.use({ allowedConsoleErrors: [/status of 400/] });

  test('turn sealing on, keep the kit, back up, restore on a fresh instance with the kit', async ({ page }, testInfo) => {
    await restoreRealArchive(page);
    await page.getByRole('link', { name: 'Settings', exact: true }).click();

    // Off by default; a plain download is all there is.
    const section = page.getByTestId('seal-section');
    await expect(section.getByRole('heading', { name: 'Sealed backups', exact: true })).toBeVisible();
    await expect(section.getByTestId('seal-state')).toHaveText('Off: backups are plain .tar.gz files.');
    await expect(page.getByTestId('download-sealed')).toHaveCount(0);

    // Cancel at the kit leaves nothing saved.
    await section.getByRole('button', { name: 'Turn on sealing', exact: true }).click();
    let dialog = page.getByRole('dialog', { name: 'Turn on sealed backups', exact: true });
    await expect(dialog.getByRole('radio', { name: 'Generated key (recommended)', exact: true })).toBeChecked();
    await dialog.getByRole('button', { name: 'Continue to the recovery kit', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Recovery kit', exact: true });
    await expect(dialog.getByRole('button', { name: 'Turn on sealing', exact: true })).toBeDisabled();
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(dialog).toBeHidden();
    await page.reload();
    await expect(section.getByTestId('seal-state')).toHaveText('Off: backups are plain .tar.gz files.');

    // A passphrase too short, then two that differ, are refused before anything is made.
    await section.getByRole('button', { name: 'Turn on sealing', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Turn on sealed backups', exact: true });
    await dialog.getByRole('radio', { name: 'Passphrase', exact: true }).check();
    await dialog.getByLabel('New passphrase', { exact: true }).fill('too short');
    await dialog.getByRole('button', { name: 'Continue to the recovery kit', exact: true }).click();
    await expect(dialog.getByText('The passphrase needs at least 12 characters.', { exact: true })).toBeVisible();
    await dialog.getByLabel('New passphrase', { exact: true }).fill('correct horse battery');
    await dialog.getByLabel('Repeat the passphrase', { exact: true }).fill('correct horse batery');
    await dialog.getByRole('button', { name: 'Continue to the recovery kit', exact: true }).click();
    await expect(dialog.getByText('The two passphrases differ.', { exact: true })).toBeVisible();

    // The generated key: download the kit, say it is kept, and only then is sealing on.
    await dialog.getByRole('radio', { name: 'Generated key (recommended)', exact: true }).check();
    await dialog.getByRole('button', { name: 'Continue to the recovery kit', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Recovery kit', exact: true });
    await expect(dialog).toContainText('age -d -i');
    await screenshot(page, 'settings-seal-kit', { fullPage: false });
    const [kitDownload] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: '⤓ Download the recovery kit', exact: true }).click(),
    ]);
    const kitPath = testInfo.outputPath(kitDownload.suggestedFilename());
    await kitDownload.saveAs(kitPath);
    const kit = fs.readFileSync(kitPath, 'utf8');
    expect(kit).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/m);
    await dialog.getByLabel('I have kept the recovery kit somewhere other than this machine', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Turn on sealing', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(section.getByTestId('seal-state')).toHaveText('On, with a generated key');
    await expect(section.getByTestId('seal-result')).toHaveText('✓ Sealing is on: new backups are sealed.');
    const recipient = (await section.getByTestId('seal-recipient').textContent())!;
    expect(kit).toContain(recipient);
    // No admin password here: the kit downloads again at once, the same key.
    const [again] = await Promise.all([
      page.waitForEvent('download'),
      section.getByRole('button', { name: 'Download the recovery kit again', exact: true }).click(),
    ]);
    const againPath = testInfo.outputPath(`again-${again.suggestedFilename()}`);
    await again.saveAs(againPath);
    expect(fs.readFileSync(againPath, 'utf8').match(/^AGE-SECRET-KEY-1.*$/m)?.[0]).toBe(kit.match(/^AGE-SECRET-KEY-1.*$/m)?.[0]);

    // Backup Now writes a sealed backup, listed as sealed; its stored copy downloads sealed.
    await page.getByTestId('backup-now').click();
    await expect(page.getByTestId('backup-now-result')).toContainText('.tar.gz.age');
    const row = page.getByTestId('backup-row');
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('backup-sealed')).toHaveText('Sealed');
    const fileName = (await row.getAttribute('data-file'))!;
    expect(fileName).toMatch(/^docsight_backup_\d{4}-\d{2}-\d{2}_\d{6}\.tar\.gz\.age$/);
    // This instance holds the key: verify needs nothing from the user.
    await row.getByRole('button', { name: `Verify ${fileName}`, exact: true }).click();
    await expect(page.getByTestId('list-result')).toHaveText(`✓ ${fileName} is intact.`);
    await screenshot(page, 'settings-sealed');
    const [stored] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('link', { name: `Download ${fileName}`, exact: true }).click(),
    ]);
    expect(stored.suggestedFilename()).toBe(fileName);
    const storedPath = testInfo.outputPath(fileName);
    await stored.saveAs(storedPath);
    expect(fs.readFileSync(storedPath).subarray(0, 22).toString('latin1')).toBe('age-encryption.org/v1\n');
    expect((await runCli(['backup', 'validate', storedPath, '--identity', kitPath])).stdout).toContain('Valid backup');

    // The fresh download is offered sealed, and is.
    await expect(page.getByTestId('download-sealed')).toBeChecked();
    const [fresh] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-fresh').click()]);
    expect(fresh.suggestedFilename()).toMatch(/^docsight_backup_\d{4}-\d{2}-\d{2}_\d{6}\.tar\.gz\.age$/);

    // Another kit, for a key that did not seal this backup.
    const other = await generateSealIdentity();
    const otherKitPath = testInfo.outputPath('other-recovery-kit.txt');
    fs.writeFileSync(otherKitPath, await identityFileText(other.identity, ['Another instance']));

    // A fresh instance: the wizard asks for the key before it sends the file.
    const fresh2 = await startLockerServer();
    try {
      await page.goto(`${fresh2.url}/setup`);
      await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
      await page.getByLabel('Select backup file (.tar.gz)', { exact: true }).setInputFiles(storedPath);
      const keyStep = page.getByTestId('restore-key-step');
      const freshBefore = snapshotTree(fresh2.dataDir);
      await expect(keyStep).toContainText(fileName);
      await expect(keyStep.getByLabel('Identity', { exact: true })).toBeVisible();
      await expect(page.getByTestId('archive-summary')).toHaveCount(0);

      // The wrong kit: its own message, and the step stays for another key, with the same file.
      await pickThrough(page, 'Choose key file', otherKitPath);
      await expect(keyStep.getByTestId('seal-key-file')).toContainText('other-recovery-kit.txt');
      await keyStep.getByRole('button', { name: 'Open and check', exact: true }).click();
      await expect(keyStep.getByTestId('seal-key-error')).toHaveText(WRONG_IDENTITY);
      await screenshot(page, 'restore-sealed-key');
      expect(snapshotTree(fresh2.dataDir)).toEqual(freshBefore);

      await keyStep.getByRole('button', { name: 'Use another key', exact: true }).click();
      await pickThrough(page, 'Choose key file', kitPath);
      await keyStep.getByRole('button', { name: 'Open and check', exact: true }).click();
      await expect(page.getByTestId('archive-summary')).toBeVisible();
      await expect(page.getByTestId('restore-sealed')).toBeVisible();
      await expect(page.getByTestId('evidence-words')).toHaveText(/^2,880 signal snapshots, 77 speed tests, 19 modem events, /);
      await page.getByTestId('restore-confirm').click();
      await expect(page.getByRole('heading', { name: '✓ Backup restored', exact: true })).toBeVisible();
      await expect(page.getByTestId('restored-counts')).toContainText('2,880 signal snapshots');
      await page.getByRole('button', { name: 'Go to the dashboard', exact: true }).click();
      await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
      await expectRealEvidence(page);
    } finally {
      await fresh2.stop();
    }
  });
});

test.describe("a backup sealed with someone else's passphrase, on a running instance", () => {
  // Refused keys are answered 400 (the upload) and by the restore's refusal, which the browser logs.
  test.use({ allowedConsoleErrors: [/status of 4\d\d/] });

  test('asks for the passphrase to upload and to restore it, refuses a wrong one, and leaves the live data alone', async ({
    page,
    locker,
  }, testInfo) => {
    const passphrase = 'a passphrase from elsewhere';
    const sealedName = `${path.basename(REAL_ARCHIVE)}.age`;
    const sealedPath = testInfo.outputPath(sealedName);
    await pipeline(sealStream(fs.createReadStream(REAL_ARCHIVE), { passphrase, workFactor: 10 }), fs.createWriteStream(sealedPath));

    await completeNewSetup(page, { modemUrl: 'http://10.0.0.1' });
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await expect(page.getByTestId('backup-list-empty')).toBeVisible();

    // Upload: the header says passphrase, so only that is asked; a wrong one is refused in the dialog.
    await pickThrough(page, 'Upload a backup', sealedPath);
    let keyDialog = page.getByRole('dialog', { name: 'Key of the sealed backup', exact: true });
    await expect(keyDialog).toContainText(`${sealedName} is sealed (age-encrypted).`);
    await expect(keyDialog.getByLabel('Identity', { exact: true })).toHaveCount(0);
    await keyDialog.getByLabel('Passphrase', { exact: true }).fill('not the passphrase');
    await keyDialog.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect(keyDialog.getByTestId('seal-key-error')).toHaveText(WRONG_PASSPHRASE);
    await expect(page.getByTestId('backup-list-empty')).toBeVisible();
    await keyDialog.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await keyDialog.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect(page.getByTestId('list-result')).toContainText(`✓ Uploaded ${sealedName}`);
    const row = page.locator(`[data-testid="backup-row"][data-file="${sealedName}"]`);
    await expect(row.getByTestId('backup-sealed')).toHaveText('Sealed · passphrase');

    // Restore: this instance's keys do not open it, so the list asks; a wrong passphrase changes nothing.
    const liveBefore = snapshotTree(locker.dataDir);
    await row.getByRole('button', { name: `Restore ${sealedName}`, exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Restore this backup?', exact: true })
      .getByRole('button', { name: 'Restore', exact: true })
      .click();
    keyDialog = page.getByRole('dialog', { name: 'Key of the sealed backup', exact: true });
    await expect(keyDialog).toContainText(`${sealedName} is sealed (age-encrypted).`);
    await keyDialog.getByLabel('Passphrase', { exact: true }).fill('still not the passphrase');
    await keyDialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await expect(keyDialog.getByTestId('seal-key-error')).toHaveText(WRONG_PASSPHRASE);
    expect(snapshotTree(locker.dataDir)).toEqual(liveBefore);

    await keyDialog.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await keyDialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await expect(page.getByTestId('list-result')).toContainText(`Restored ${sealedName}. A pre-restore backup was saved as`);
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await expectRealEvidence(page);
  });
});

test.describe('sealed backups on a phone, in German and the dark theme', () => {
  test.use(GERMAN_PHONE);

  test('turns sealing on with a passphrase, changes to a generated key and turns it off, each step said in German', async ({ page }) => {
    await page.goto('/settings');
    await page.getByTestId('theme').selectOption('dark');
    const section = page.getByTestId('seal-section');
    await expect(section.getByRole('heading', { name: 'Versiegelte Sicherungen', exact: true })).toBeVisible();
    await expect(section.getByTestId('seal-state')).toHaveText('Aus: Sicherungen sind einfache .tar.gz-Dateien.');

    await section.getByRole('button', { name: 'Versiegeln einschalten', exact: true }).click();
    let dialog = page.getByRole('dialog', { name: 'Versiegelte Sicherungen einschalten', exact: true });
    await dialog.getByRole('radio', { name: 'Passphrase', exact: true }).check();
    await dialog.getByLabel('Neue Passphrase', { exact: true }).fill('richtiges Pferd Batterie');
    await dialog.getByLabel('Passphrase wiederholen', { exact: true }).fill('richtiges Pferd Batterie');
    await dialog.getByRole('button', { name: 'Weiter zum Wiederherstellungs-Kit', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Wiederherstellungs-Kit', exact: true });
    await expect(dialog).toContainText('Die Passphrase steht nicht darin: Sie aufzubewahren ist deine Sache.');
    await expectNoHorizontalOverflow(page, 'the recovery kit');
    await screenshot(page, 'mobile-seal-kit-de-dark', { fullPage: false });
    await dialog
      .getByLabel('Ich habe das Wiederherstellungs-Kit an einem anderen Ort als diesem Rechner aufbewahrt', { exact: true })
      .check();
    await dialog.getByRole('button', { name: 'Versiegeln einschalten', exact: true }).click();
    await expect(section.getByTestId('seal-state')).toHaveText('An, mit einer Passphrase');
    await expect(section.getByTestId('seal-recipient')).toHaveCount(0);

    // Changing the key warns first, and afterwards says what becomes of the backups made before.
    await section.getByRole('button', { name: 'Schlüssel ändern', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Schlüssel ändern', exact: true });
    await expect(dialog).toContainText('Bisher erstellte bleiben mit dem jetzigen versiegelt');
    await expect(dialog.getByRole('radio', { name: 'Erzeugter Schlüssel (empfohlen)', exact: true })).toBeChecked();
    await dialog.getByRole('button', { name: 'Weiter zum Wiederherstellungs-Kit', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Wiederherstellungs-Kit', exact: true });
    await dialog
      .getByLabel('Ich habe das Wiederherstellungs-Kit an einem anderen Ort als diesem Rechner aufbewahrt', { exact: true })
      .check();
    await dialog.getByRole('button', { name: 'Neuen Schlüssel verwenden', exact: true }).click();
    await expect(section.getByTestId('seal-state')).toHaveText('An, mit einem erzeugten Schlüssel');
    await expect(section.getByTestId('seal-result')).toHaveText(
      '✓ Der Schlüssel ist geändert: Neue Sicherungen werden mit dem neuen Schlüssel versiegelt. Bisher erstellte Sicherungen bleiben mit dem alten Schlüssel versiegelt: Bewahre das alte Wiederherstellungs-Kit auf. Diese Instanz kann sie weiterhin öffnen.',
    );
    await expectNoHorizontalOverflow(page, 'the settings with sealing on');
    await screenshot(page, 'mobile-settings-sealed-de-dark');

    await section.getByRole('button', { name: 'Ausschalten', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Versiegeln ausschalten?', exact: true });
    await expect(confirm).toContainText('Bisher versiegelte Sicherungen bleiben versiegelt');
    await confirm.getByRole('button', { name: 'Ausschalten', exact: true }).click();
    await expect(section.getByTestId('seal-state')).toHaveText('Aus: Sicherungen sind einfache .tar.gz-Dateien.');
    await expect(section.getByTestId('seal-result')).toHaveText('✓ Versiegeln ist aus. Bisher versiegelte Sicherungen bleiben versiegelt.');
  });
});
