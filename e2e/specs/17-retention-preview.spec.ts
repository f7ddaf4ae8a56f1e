/**
 * Journey 17, the retention preview before saving (issue 19): a backup directory holding eight
 * days of backups (DOCSight's own archives, one a day). Lowering "Keep backups" lists the five
 * backups the new rule would delete before anything is saved, and Cancel saves nothing. Adding
 * "Daily backups" keeps six days: the list shrinks to the two oldest, at 375 px and in dark mode
 * too; confirming saves the rule, and the next Backup now deletes exactly those two, while the
 * backup it made by hand stays outside the rule. A save that leaves the retention alone asks nothing.
 * A backup taken before a restore stays outside the rule until its box is ticked: then the preview
 * lists it, and the schedule's state names the whole rule.
 * An SFTP target (a real sshd on loopback, started here) holding three copies this instance sent
 * and one it did not: lowering its "Keep the newest" in the target editor lists only its own older
 * copies, and confirming saves the rule without deleting anything yet.
 */
import fs from 'node:fs';
import path from 'node:path';
import { recordPushSuccess } from '@evidence-locker/core';
import { writeTestArchive } from '@evidence-locker/core/testing/write-test-archive';
import { runCliJson } from '@evidence-locker/harness';
import { startSshd, type StartedSshd } from '@evidence-locker/test-servers/sshd';
import type { Page } from '@playwright/test';
import { REAL_ARCHIVE } from '../support/archives.ts';
import { completeNewSetup } from '../support/setup-flow.ts';
import { expect, expectNoHorizontalOverflow, screenshot, test } from '../support/test.ts';

const HOUR = 60 * 60 * 1000;

/** A backup file name for `moment` in this process's local time, as the server (same machine) names them. */
function backupName(moment: Date): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  const date = `${moment.getFullYear()}-${two(moment.getMonth() + 1)}-${two(moment.getDate())}`;
  return `docsight_backup_${date}_${two(moment.getHours())}${two(moment.getMinutes())}${two(moment.getSeconds())}.tar.gz`;
}

/** Eight DOCSight archives, one a day, the newest an hour old; newest first. */
function placeDailyBackups(backupDir: string): string[] {
  const names: string[] = [];
  const now = Date.now();
  for (let day = 0; day < 8; day += 1) {
    const made = new Date(now - day * 24 * HOUR - HOUR);
    const name = backupName(made);
    const file = path.join(backupDir, name);
    fs.copyFileSync(REAL_ARCHIVE, file);
    fs.utimesSync(file, made, made);
    names.push(name);
  }
  return names;
}

/** The backups in `backupDir` (the server's lease file beside them left out), sorted. */
const backupsIn = (backupDir: string): string[] =>
  fs
    .readdirSync(backupDir)
    .filter((name) => name.startsWith('docsight_backup_'))
    .sort();

const dialog = (page: Page) => page.getByRole('dialog', { name: 'Before the new retention is saved', exact: true });
const listed = (page: Page) => page.getByTestId('retention-preview').getByRole('listitem');

test('shows which backups a new retention deletes before saving it, and the next backup deletes exactly those', async ({
  page,
  locker,
}) => {
  await completeNewSetup(page);
  const names = placeDailyBackups(locker.backupDir);
  const configFile = path.join(locker.dataDir, 'config.json');
  const configBefore = fs.readFileSync(configFile, 'utf8');

  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page.getByTestId('backup-row')).toHaveCount(8);
  await page.getByLabel('Enabled', { exact: true }).check();

  // Keep 3 instead of 5: the five oldest would go. Cancel saves nothing and keeps the edit.
  await page.getByLabel('Keep backups', { exact: true }).fill('3');
  await page.getByTestId('save-settings').click();
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(page).getByText('The new retention deletes these 5 backups:', { exact: true })).toBeVisible();
  await expect(listed(page)).toHaveCount(5);
  for (const [index, name] of names.slice(3).entries()) await expect(listed(page).nth(index)).toContainText(`${name}, made `);
  await expect(dialog(page).getByText('3 backups stay.', { exact: true })).toBeVisible();
  await expect(page.getByTestId('retention-preview-when')).toHaveText(
    'Nothing is deleted now: pruning runs after the next backup, which then counts too.',
  );
  await dialog(page).getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(dialog(page)).toBeHidden();
  await expect(page.getByText('You have unsaved changes.', { exact: true })).toBeVisible();
  expect(fs.readFileSync(configFile, 'utf8')).toBe(configBefore);
  expect(backupsIn(locker.backupDir)).toEqual([...names].sort());

  // Daily 6 as well: a backup stays when any rule keeps it, so only the two oldest would go.
  await page.getByLabel('Daily backups', { exact: true }).fill('6');
  await page.getByTestId('save-settings').click();
  await expect(dialog(page).getByText('The new retention deletes these 2 backups:', { exact: true })).toBeVisible();
  await expect(listed(page)).toHaveCount(2);
  await expect(listed(page).nth(0)).toContainText(names[6]!);
  await expect(listed(page).nth(1)).toContainText(names[7]!);
  await expect(dialog(page).getByText('6 backups stay.', { exact: true })).toBeVisible();

  // The same question at 375 px and in dark mode.
  await page.setViewportSize({ width: 375, height: 740 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(dialog(page).getByRole('button', { name: 'Save and delete them', exact: true })).toBeVisible();
  await expectNoHorizontalOverflow(page, 'retention preview at 375 px');
  await screenshot(page, 'retention-preview-375-dark', { fullPage: false });
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, 'retention-preview', { fullPage: false });

  await dialog(page).getByRole('button', { name: 'Save and delete them', exact: true }).click();
  await expect(dialog(page)).toBeHidden();
  await expect(page.getByText('✓ Settings saved', { exact: true })).toBeVisible();
  const saved = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  expect(saved).toMatchObject({ backup_enabled: true, backup_retention: 3, backup_retention_daily: 6 });
  // Only what changed is written: manual backups stay outside the rule by default.
  expect(saved['backup_retention_include_manual']).toBeUndefined();
  // Saving deletes nothing; the rule applies after the next backup.
  expect(backupsIn(locker.backupDir)).toEqual([...names].sort());

  // Backup now: the two previewed backups go; the new one, made by hand, is outside the rule.
  await page.getByTestId('backup-now').click();
  await expect(page.getByTestId('backup-now-result')).toContainText('Backup saved to server: docsight_backup_');
  await expect(page.getByTestId('backup-row')).toHaveCount(7);
  const left = backupsIn(locker.backupDir);
  expect(left).toHaveLength(7);
  expect(left).toEqual(expect.arrayContaining(names.slice(0, 6)));
  expect(left).not.toContain(names[6]);
  expect(left).not.toContain(names[7]);

  // A save that leaves the retention as it is asks nothing.
  await page.getByLabel('Interval', { exact: true }).selectOption({ label: 'Weekly' });
  await page.getByTestId('save-settings').click();
  await expect(page.getByText('✓ Settings saved', { exact: true })).toBeVisible();
  await expect(dialog(page)).toBeHidden();
  expect(JSON.parse(fs.readFileSync(configFile, 'utf8'))).toMatchObject({ backup_interval_hours: 168 });
  await expect(page.getByTestId('schedule-retention')).toHaveText(
    'Keeps the newest 3 backups. Keeps the newest backup of each of the last 6 days. ' +
      'Backups made by hand are kept and not counted. Backups taken before a restore are kept and not counted.',
  );

  // A backup taken before a restore, twenty days ago: outside the rule until its box is ticked.
  const preRestore = backupName(new Date(Date.now() - 20 * 24 * HOUR));
  await writeTestArchive(path.join(locker.backupDir, preRestore), {
    meta: { magic: 'docsight-backup', format_version: 1, trigger: 'pre-restore' },
    members: [],
  });
  await page.reload();
  await expect(page.getByTestId('backup-row')).toHaveCount(8);
  const preRestoreBox = page.getByLabel('Apply the retention to the backups taken before a restore too', { exact: true });
  await expect(preRestoreBox).not.toBeChecked();
  await preRestoreBox.check();
  await page.getByTestId('save-settings').click();
  await expect(dialog(page).getByText('The new retention deletes this backup:', { exact: true })).toBeVisible();
  await expect(listed(page)).toHaveCount(1);
  await expect(listed(page).nth(0)).toContainText(`${preRestore}, made `);
  await dialog(page).getByRole('button', { name: 'Save and delete them', exact: true }).click();
  await expect(page.getByText('✓ Settings saved', { exact: true })).toBeVisible();
  expect(JSON.parse(fs.readFileSync(configFile, 'utf8'))).toMatchObject({ backup_retention_include_pre_restore: true });
  // Saving deletes nothing: the pre-restore backup is still there until the next backup.
  expect(backupsIn(locker.backupDir)).toContain(preRestore);
  await expect(page.getByTestId('schedule-retention')).toContainText('Backups taken before a restore count too.');
});

test.describe('the retention of an offsite target', () => {
  let sshd: StartedSshd;
  test.beforeAll(async () => {
    sshd = await startSshd({ passwordUser: false });
  });
  test.afterAll(async () => {
    await sshd?.stop();
  });

  test("lists only the target's own copies the new retention deletes, before saving it", async ({ page, locker }) => {
    await completeNewSetup(page);
    const remote = fs.mkdtempSync(path.join(sshd.rootDir, 'nas-'));
    const keyFile = path.join(locker.root, 'nas-key');
    fs.writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
    // The target is added the way a person at the command line does, while the server is stopped.
    await locker.halt();
    const added = await runCliJson<{ target: { id: string } }>([
      'target',
      'add',
      'NAS',
      `sftp://root@${sshd.host}:${sshd.port}${remote}`,
      '--data-dir',
      locker.dataDir,
      '--key-file',
      keyFile,
      '--accept-host-key',
      '--plain',
      '--keep-last',
      '5',
    ]);
    const id = added.json.target.id;
    const own = ['2026-11-04', '2026-11-03', '2026-11-02'].map((day) => `docsight_backup_${day}_030000.tar.gz`);
    const foreign = 'docsight_backup_2026-11-01_030000.tar.gz';
    for (const name of [...own, foreign]) fs.copyFileSync(REAL_ARCHIVE, path.join(remote, name));
    for (const name of own) await recordPushSuccess(locker.dataDir, id, name);
    await locker.restart();

    await page.goto('/settings');
    await page.getByRole('button', { name: 'Edit NAS', exact: true }).click();
    const editor = page.getByRole('dialog', { name: 'Edit NAS', exact: true });
    await expect(editor.getByLabel('Keep the newest (copies)', { exact: true })).toHaveValue('5');
    await editor.getByLabel('Keep the newest (copies)', { exact: true }).fill('1');
    await editor.getByRole('button', { name: 'Save', exact: true }).click();

    await expect(dialog(page).getByText('The new retention deletes these 2 copies on the target:', { exact: true })).toBeVisible();
    await expect(listed(page)).toHaveCount(2);
    await expect(listed(page).nth(0)).toContainText(own[1]!);
    await expect(listed(page).nth(1)).toContainText(own[2]!);
    await expect(dialog(page).getByText('1 backup stays.', { exact: true })).toBeVisible();
    await expect(page.getByTestId('retention-preview-when')).toHaveText(
      'Nothing is deleted now: pruning runs after the next copy is sent, which then counts too.',
    );
    await dialog(page).getByRole('button', { name: 'Save and delete them', exact: true }).click();
    await expect(editor).toBeHidden();
    await expect(page.getByTestId('target-retention')).toHaveText(
      'Keeps the newest copy. Copies of backups made by hand are kept and not counted. ' +
        'Copies of backups taken before a restore are kept and not counted.',
    );

    const config = JSON.parse(fs.readFileSync(path.join(locker.dataDir, 'config.json'), 'utf8')) as {
      backup_targets: { retention: unknown }[];
    };
    expect(config.backup_targets[0]?.retention).toEqual({ keepLast: 1 });
    // Nothing is deleted until the next copy is sent; the other instance's copy is never counted.
    expect(fs.readdirSync(remote).sort()).toEqual([...own, foreign].sort());
  });
});
