/**
 * Journey 16: offsite copies and disaster recovery from them. A person with sealing on adds their
 * NAS (a real OpenSSH sshd on loopback, started here) as an SFTP target in the settings, tests the
 * connection, compares and accepts the server's host key, and saves. Backup Now lands on the NAS:
 * the target's state names the copy and its copies list shows it sealed and made here. Then the
 * machine is gone: a fresh instance's wizard restores that copy "From offsite storage" (the
 * connection entered again, the host key accepted again, the recovery kit for the key), and the
 * dashboard shows the evidence; the restored instance has the target back. On a phone in German
 * and the dark theme, the section and its editor fit the screen, and a host key that changed (the
 * NAS reinstalled) is refused until the user confirms the new one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startSshd, type StartedSshd } from '@evidence-locker/test-servers/sshd';
import { expect, expectNoHorizontalOverflow, screenshot, test, GERMAN_PHONE } from '../support/test.ts';
import { REAL_ARCHIVE } from '../support/archives.ts';
import { startLockerServer } from '../support/locker-server.ts';

let sshd: StartedSshd;

test.beforeAll(async () => {
  sshd = await startSshd();
});

test.afterAll(async () => {
  await sshd?.stop();
});

function nasUser(): { username: string; password: string; homeDir: string } {
  const user = sshd.passwordUser;
  if (user === undefined) throw new Error('startSshd made no password user');
  return user;
}

/** Picks `file` through the file chooser that clicking `button` (by its exact name) opens. */
async function pickThrough(page: Page, button: string, file: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: button, exact: true }).click();
  await (await chooser).setFiles(file);
}

/** The instance's evidence as the dashboard counts it: the fixture's rows. */
async function expectRealEvidence(page: Page): Promise<void> {
  await expect(page.getByTestId('dashboard-modem')).toContainText('http://192.168.178.1');
  const history = page.getByTestId('history-tables');
  await expect(history.locator('tr[data-table="snapshots"] td.num')).toHaveText('2,880');
  await expect(history.locator('tr[data-table="events"] td.num')).toHaveText('19');
  await expect(page.getByTestId('cm-tables').locator('tr[data-table="connection_samples"] td.num')).toHaveText('51,840');
}

/** Fills the SFTP connection fields inside `scope` (the settings' editor, or the wizard's step). */
async function fillSftp(scope: ReturnType<Page['getByTestId']>, directory: string): Promise<void> {
  const user = nasUser();
  await scope.getByLabel('Kind of storage', { exact: true }).selectOption('sftp');
  await scope.getByLabel('Host', { exact: true }).fill(sshd.host);
  await scope.getByLabel('Port', { exact: true }).fill(String(sshd.port));
  await scope.getByLabel('User name', { exact: true }).fill(user.username);
  await scope.getByRole('radio', { name: 'A password', exact: true }).check();
  await scope.getByLabel('Password', { exact: true }).fill(user.password);
  await scope.getByLabel('Remote directory', { exact: true }).fill(directory);
}

test.describe('offsite copies on an SFTP server, and disaster recovery from them', () => {
  // The host key question is answered 409 and the refused login 502 (the target's answer), which the browser logs.
  test.use({ allowedConsoleErrors: [/status of (409|502)/] });

  test('add the NAS and accept its host key, Backup Now lands there sealed, a fresh instance restores it from the wizard', async ({
    page,
  }, testInfo) => {
    const user = nasUser();
    // The fixture's data, then sealing on with a generated key whose kit is kept.
    await page.goto('/setup');
    await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
    await page.getByLabel('Select backup file (.tar.gz)', { exact: true }).setInputFiles(REAL_ARCHIVE);
    await page.getByTestId('restore-confirm').click();
    await page.getByRole('button', { name: 'Go to the dashboard', exact: true }).click();
    await expect(page.getByTestId('dashboard-modem')).toContainText('http://192.168.178.1');
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const seal = page.getByTestId('seal-section');
    await seal.getByRole('button', { name: 'Turn on sealing', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Turn on sealed backups', exact: true })
      .getByRole('button', { name: 'Continue to the recovery kit', exact: true })
      .click();
    const kitDialog = page.getByRole('dialog', { name: 'Recovery kit', exact: true });
    const [kitDownload] = await Promise.all([
      page.waitForEvent('download'),
      kitDialog.getByRole('button', { name: '⤓ Download the recovery kit', exact: true }).click(),
    ]);
    const kitPath = testInfo.outputPath(kitDownload.suggestedFilename());
    await kitDownload.saveAs(kitPath);
    await kitDialog.getByLabel('I have kept the recovery kit somewhere other than this machine', { exact: true }).check();
    await kitDialog.getByRole('button', { name: 'Turn on sealing', exact: true }).click();
    await expect(seal.getByTestId('seal-state')).toHaveText('On, with a generated key');

    // No target yet.
    const section = page.getByTestId('targets-section');
    await expect(section.getByRole('heading', { name: 'Offsite copies', exact: true })).toBeVisible();
    await expect(section.getByTestId('targets-empty')).toHaveText('No offsite targets yet: every backup is on this machine only.');

    // Add the NAS. Missing fields are named before anything is sent.
    await section.getByRole('button', { name: 'Add a target', exact: true }).click();
    const editor = page.getByRole('dialog', { name: 'Add an offsite target', exact: true });
    await editor.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(editor.getByText('This field is required.', { exact: true }).first()).toBeVisible();
    await editor.getByLabel('Name', { exact: true }).fill('NAS in the basement');
    await fillSftp(editor.getByTestId('target-editor'), user.homeDir);
    await expect(editor.getByLabel('Sealed copies', { exact: true })).toBeChecked();
    await editor.getByLabel('Sealed copies', { exact: true }).uncheck();
    await expect(editor.getByTestId('target-plain-warning')).toContainText(
      "Plain copies carry this instance's encryption key (.config_key)",
    );
    await editor.getByLabel('Sealed copies', { exact: true }).check();
    await editor.getByLabel('Keep the newest (copies)', { exact: true }).fill('5');

    // A wrong password: the login is refused, said in the user's words.
    await editor.getByLabel('Password', { exact: true }).fill('not the password');
    await editor.getByRole('button', { name: 'Test connection', exact: true }).click();
    const question = editor.getByTestId('target-host-key');
    // The server is new: its host key is shown first, whatever the password.
    await expect(question).toContainText('A new SFTP server');
    await expect(question.getByTestId('target-host-key-fingerprint')).toHaveText(sshd.hostKeyFingerprint);
    await screenshot(page, 'settings-target-host-key', { fullPage: false });
    await question.getByRole('button', { name: 'Accept this host key', exact: true }).click();
    await expect(editor.getByTestId('target-test-error')).toContainText('The target refused the login');
    await expect(editor.getByTestId('target-pinned-key')).toContainText(sshd.hostKeyFingerprint);
    await editor.getByLabel('Password', { exact: true }).fill(user.password);
    await editor.getByRole('button', { name: 'Test connection', exact: true }).click();
    await expect(editor.getByTestId('target-test-result')).toContainText(
      'The connection works: a small test file was written, read back and deleted',
    );
    await editor.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(editor).toBeHidden();
    await expect(section.getByTestId('targets-result')).toHaveText('✓ Saved NAS in the basement.');

    const target = section.getByTestId('target');
    await expect(target).toHaveCount(1);
    await expect(target.getByTestId('target-location')).toHaveText(`sftp://${user.username}@${sshd.host}:${sshd.port}${user.homeDir}`);
    await expect(target.getByTestId('target-sealed')).toHaveText('Sealed');
    await expect(target).toContainText('Keeps the newest 5 copies.');
    await expect(target.getByTestId('target-state')).toHaveText('No copy sent yet.');
    await expect(target).not.toContainText(user.password);
    // Tested as stored: the pinned key and the saved password.
    await target.getByRole('button', { name: 'Test the connection to NAS in the basement', exact: true }).click();
    await expect(target.getByTestId('target-test-result')).toContainText('The connection works');
    // Editing shows the password as set, never its value.
    await target.getByRole('button', { name: 'Edit NAS in the basement', exact: true }).click();
    const edit = page.getByRole('dialog', { name: 'Edit NAS in the basement', exact: true });
    await expect(edit.getByLabel('Password', { exact: true })).toHaveValue('');
    await expect(edit.getByText('Set — leave empty to keep it.', { exact: true })).toBeVisible();
    await edit.getByRole('button', { name: 'Cancel', exact: true }).click();

    // Backup Now: the local backup first, then the copy on the NAS.
    await page.getByTestId('backup-now').click();
    await expect(page.getByTestId('backup-now-result')).toContainText('.tar.gz.age');
    const fileName = (await page.getByTestId('backup-row').getAttribute('data-file'))!;
    await expect(target.getByTestId('target-state').locator('[data-kind="success"]')).toContainText(`Last copy: ${fileName}`);
    expect(fs.existsSync(path.join(user.homeDir, fileName))).toBe(true);
    await target.getByRole('button', { name: 'Copies on NAS in the basement', exact: true }).click();
    const copy = target.getByTestId('target-copy');
    await expect(copy).toHaveCount(1);
    await expect(copy).toHaveAttribute('data-name', fileName);
    await expect(copy.getByTestId('target-copy-sealed')).toHaveText('Sealed');
    await expect(copy.getByTestId('target-copy-here')).toHaveText('Made here');
    await expect(copy.getByRole('link', { name: `Download ${fileName}`, exact: true })).toHaveAttribute(
      'href',
      new RegExp(`/api/targets/[0-9a-f-]+/copies/${fileName.replaceAll('.', '\\.')}$`),
    );
    await screenshot(page, 'settings-offsite');

    // The machine is gone: a fresh instance restores the copy from the NAS through the wizard.
    const fresh = await startLockerServer();
    try {
      await page.goto(`${fresh.url}/setup`);
      await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
      await page.getByRole('button', { name: 'From offsite storage', exact: true }).click();
      const step = page.getByTestId('restore-offsite');
      await expect(step.getByRole('heading', { name: 'Restore from offsite storage', exact: true })).toBeVisible();
      await fillSftp(step, user.homeDir);
      await step.getByRole('button', { name: 'Show its backups', exact: true }).click();
      await expect(step.getByTestId('target-host-key-fingerprint')).toHaveText(sshd.hostKeyFingerprint);
      await step.getByRole('button', { name: 'Accept this host key', exact: true }).click();
      const listed = step.getByTestId('offsite-backup');
      await expect(listed).toHaveCount(1);
      await expect(listed).toHaveAttribute('data-name', fileName);
      await expect(listed.getByRole('radio')).toBeChecked();
      await expect(step.getByTestId('offsite-key')).toContainText(`${fileName} is sealed`);
      await pickThrough(page, 'Choose key file', kitPath);
      await expect(step.getByTestId('seal-key-file')).toBeVisible();
      await screenshot(page, 'setup-restore-offsite');
      await step.getByTestId('offsite-restore').click();
      await expect(page.getByRole('heading', { name: '✓ Backup restored', exact: true })).toBeVisible();
      await expect(page.getByTestId('restored-counts')).toContainText('2,880 signal snapshots');
      await page.getByRole('button', { name: 'Go to the dashboard', exact: true }).click();
      await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
      await expectRealEvidence(page);
      // The restored instance keeps sending copies to the NAS.
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await expect(page.getByTestId('targets-section').getByTestId('target')).toHaveAttribute('data-name', 'NAS in the basement');
    } finally {
      // The settings page keeps a connection to its server: leave it before that server stops.
      await page.goto('about:blank');
      await fresh.stop();
    }
  });
});

test.describe('offsite copies on a phone, in German and the dark theme', () => {
  test.use({
    ...GERMAN_PHONE,
    // The host key question is answered 409.
    allowedConsoleErrors: [/status of 409/],
  });

  test('adds an SFTP target, accepts its host key, lists it, and accepts a changed key after a confirmation, all on a small screen', async ({
    page,
  }) => {
    const user = nasUser();
    await page.goto('/settings');
    await page.getByTestId('theme').selectOption('dark');
    const section = page.getByTestId('targets-section');
    await expect(section.getByRole('heading', { name: 'Kopien außer Haus', exact: true })).toBeVisible();
    await section.getByRole('button', { name: 'Ziel hinzufügen', exact: true }).click();
    const editor = page.getByRole('dialog', { name: 'Ziel außer Haus hinzufügen', exact: true });
    await editor.getByLabel('Name', { exact: true }).fill('NAS');
    await editor.getByLabel('Host', { exact: true }).fill(sshd.host);
    await editor.getByLabel('Port', { exact: true }).fill(String(sshd.port));
    await editor.getByLabel('Benutzername', { exact: true }).fill(user.username);
    await editor.getByLabel('Passwort', { exact: true }).fill(user.password);
    await editor.getByLabel('Verzeichnis auf dem Server', { exact: true }).fill(user.homeDir);
    // Sealing is off on this instance: a plain target, with the warning that says what that means.
    await editor.getByLabel('Versiegelte Kopien', { exact: true }).uncheck();
    await expect(editor.getByTestId('target-plain-warning')).toContainText('Unversiegelte Kopien enthalten den Verschlüsselungsschlüssel');
    await editor.getByRole('button', { name: 'Verbindung testen', exact: true }).click();
    await expect(editor.getByTestId('target-host-key')).toContainText('Ein neuer SFTP-Server');
    await expectNoHorizontalOverflow(page, 'the target editor');
    await screenshot(page, 'mobile-settings-target-de-dark', { fullPage: false });
    await editor.getByRole('button', { name: 'Diesen Hostschlüssel akzeptieren', exact: true }).click();
    await expect(editor.getByTestId('target-test-result')).toContainText('Die Verbindung funktioniert');
    await editor.getByRole('button', { name: 'Speichern', exact: true }).click();
    await expect(editor).toBeHidden();
    const target = section.getByTestId('target');
    await expect(target.getByTestId('target-plain')).toHaveText('Unversiegelt');
    await expect(target.getByTestId('target-state')).toHaveText('Noch keine Kopie gesendet.');
    await expectNoHorizontalOverflow(page, 'the offsite copies section');
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-settings-offsite-de-dark');

    // The NAS is reinstalled: its new host key is refused, shown beside the accepted one, and
    // accepted only after a confirmation; then it is pinned and the connection works again.
    const accepted = sshd.hostKeyFingerprint;
    const presented = await sshd.regenerateHostKey();
    await target.getByRole('button', { name: 'Verbindung zu NAS testen', exact: true }).click();
    const question = target.getByTestId('target-host-key');
    await expect(question).toContainText('Der Hostschlüssel des Servers hat sich geändert');
    await expect(question).toContainText(accepted);
    await expect(question.getByTestId('target-host-key-fingerprint')).toHaveText(presented);
    await expectNoHorizontalOverflow(page, 'a changed host key');
    await question.getByRole('button', { name: 'Den neuen Hostschlüssel akzeptieren', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Den geänderten Hostschlüssel akzeptieren?', exact: true });
    await expect(confirm).toContainText(presented);
    await confirm.getByRole('button', { name: 'Den neuen Hostschlüssel akzeptieren', exact: true }).click();
    await expect(target.getByTestId('target-test-result')).toHaveText(
      '✓ Der Hostschlüssel ist akzeptiert und gespeichert: die Verbindung funktioniert.',
    );
    await target.getByRole('button', { name: 'Verbindung zu NAS testen', exact: true }).click();
    await expect(target.getByTestId('target-test-result')).toContainText('Die Verbindung funktioniert');
  });
});
