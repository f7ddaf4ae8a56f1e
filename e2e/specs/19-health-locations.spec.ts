/**
 * Journey 19, health per location: the dashboard shows one line per place the backups are, the
 * backup directory first, then each offsite target. A person with scheduled backups on has a NAS
 * (a real OpenSSH sshd on loopback, started here) and an old NAS that no longer answers (a port
 * nothing listens on). After Backup Now and a verification, the backup directory reads OK with its
 * newest copy verified; the NAS reads OK with the copy that arrived; the old NAS reads Failing with
 * the cause and its next try. The 3-2-1 picture counts the live data, the backup directory and the
 * NAS as three copies on two places, none off this machine (the NAS here is on loopback); the free
 * space says how many more backups fit. The same at 375 px in German and the dark theme, without
 * horizontal scrolling. /metrics reports the same states for Prometheus.
 */
import type { Page } from '@playwright/test';
import { createLockerClient } from '@evidence-locker/server/client';
import { freePort, waitForJob } from '@evidence-locker/harness';
import { startSshd, type StartedSshd } from '@evidence-locker/test-servers/sshd';
import type { LockerServer } from '../support/locker-server.ts';
import { seedEvidence } from '../support/seed-evidence.ts';
import { expect, expectNoHorizontalOverflow, screenshot, test } from '../support/test.ts';
import fs from 'node:fs';
import path from 'node:path';

let sshd: StartedSshd;

test.beforeAll(async () => {
  sshd = await startSshd();
});

test.afterAll(async () => {
  await sshd?.stop();
});

test.use({
  // The push to the old NAS fails; nothing of it reaches the page's console, but say what is expected.
  lockerOptions: {
    prepare: (root) => {
      fs.writeFileSync(
        path.join(root, 'data', 'config.json'),
        JSON.stringify({ modem_type: 'fritzbox', backup_enabled: true, backup_interval_hours: 24 }),
      );
    },
    // The first scheduled backup would come a minute after the start; this journey makes its own.
    env: () => ({ SCHEDULE_START_DELAY_SECONDS: '3600' }),
  },
});

/**
 * Gives the instance a month of evidence, adds the NAS (the sshd, its host key accepted) and the old NAS (nothing listens on its port),
 * makes a backup and verifies it, and waits until the NAS has the copy and the old NAS has failed.
 * Returns the backup's file name.
 */
async function backUpToTwoTargets(locker: LockerServer): Promise<string> {
  // A month of evidence, so the backup and the room left for more are those of a real instance.
  await seedEvidence(locker, { config: { backup_enabled: true, backup_interval_hours: 24 } });
  const user = sshd.passwordUser;
  if (user === undefined) throw new Error('startSshd made no password user');
  const client = createLockerClient(locker.url);
  await client.targets.add.mutate({
    name: 'NAS in the basement',
    sealed: false,
    address: { kind: 'sftp', host: sshd.host, port: sshd.port, username: user.username, directory: user.homeDir },
    secrets: { password: user.password },
    hostKeyFingerprint: sshd.hostKeyFingerprint,
  });
  await client.targets.add.mutate({
    name: 'Old NAS',
    sealed: false,
    address: { kind: 'sftp', host: '127.0.0.1', port: await freePort(), username: 'backup', directory: 'backups' },
    secrets: { password: 'not used' },
  });
  const backup = await waitForJob(client, (await client.backups.create.mutate()).id);
  const fileName = backup.kind === 'backup' ? backup.result?.fileName : undefined;
  if (fileName === undefined) throw new Error(`The backup job gave no file name: ${JSON.stringify(backup)}`);
  await waitForJob(client, (await client.backups.verify.mutate({ fileName })).id);
  // The pushes run as jobs after the backup: wait for both outcomes.
  await expect
    .poll(async () => (await client.dashboard.summary.query()).locations.map((location) => location.status))
    .toEqual(['ok', 'ok', 'failing']);
  expect(fs.existsSync(path.join(user.homeDir, fileName))).toBe(true);
  return fileName;
}

const locationLines = (page: Page) => page.getByTestId('dashboard-locations').getByTestId('location');

test('the dashboard has a line per location, the 3-2-1 picture and the free space; /metrics says the same', async ({ page, locker }) => {
  const fileName = await backUpToTwoTargets(locker);
  const user = sshd.passwordUser!;
  await page.goto('/');
  const card = page.getByTestId('dashboard-locations');
  await expect(card.getByRole('heading', { name: 'Where your backups are', exact: true })).toBeVisible();
  const lines = locationLines(page);
  await expect(lines).toHaveCount(3);
  await expect(lines.getByTestId('location-name')).toHaveText(['Backup directory', 'NAS in the basement', 'Old NAS']);
  await expect(lines.getByTestId('location-status')).toHaveText(['OK', 'OK', /^Failing: /]);

  const [local, nas, old] = [lines.nth(0), lines.nth(1), lines.nth(2)];
  await expect(local.getByTestId('location-where')).toHaveText(`Folder · on this machine · ${locker.backupDir}`);
  await expect(local.getByTestId('location-newest')).toHaveText(/^Newest copy (now|1 minute ago) \(.+\) · verified · 1 copy$/);
  await expect(local.getByTestId('location-next')).toHaveText(/^Next scheduled backup in (1 hour|59 minutes) \(/);
  await expect(nas.getByTestId('location-where')).toHaveText(
    `SFTP · on this machine · sftp://${user.username}@${sshd.host}:${sshd.port}${user.homeDir}`,
  );
  await expect(nas.getByTestId('location-newest')).toHaveText(/^Newest copy (now|1 minute ago) \(.+\) · 1 copy$/);
  await expect(nas.getByTestId('location-next')).toHaveText(/^Gets the next scheduled backup in/);
  await expect(old.getByTestId('location-newest')).toHaveText('No copy yet');
  // Its retries come 1, 2, 4 … minutes apart: on a slow machine the first may have failed too.
  await expect(old.getByTestId('location-failure')).toHaveText(/^[12] failures? in a row, the last (now|\d minutes? ago) \(/);
  await expect(old.getByTestId('location-next')).toHaveText(
    /^(Next try (in less than a minute|any moment|overdue by \d minutes?|in \d minutes?) \(.+\)|Sending a copy now)$/,
  );
  await expect(old).toHaveAttribute('data-status', 'failing');

  const rule = card.getByTestId('copies-rule');
  await expect(rule.getByTestId('copies-newest')).toHaveText(/^The newest backup, made (now|1 minute ago) \(.+\):$/);
  await expect(rule.getByTestId('rule-copies')).toContainText('3 copies, your live data included (3 recommended)');
  await expect(rule.getByTestId('rule-copies')).toHaveClass(/\bmet\b/);
  await expect(rule.getByTestId('rule-places')).toContainText('on 2 different places (2 recommended)');
  await expect(rule.getByTestId('rule-off')).toContainText('none off this machine (1 recommended)');
  await expect(rule.getByTestId('rule-off')).toHaveClass(/\bunmet\b/);
  await expect(card.getByTestId('copies-same-disk')).toHaveText(
    'The backup directory is on the same disk as your data: one disk failure takes both.',
  );
  await expect(card.getByTestId('space-line')).toHaveText(/^[\d.,]+ [KMGT]?B free: room for about [\d,]+ more backups of [\d.,]+ [KMG]?B$/);
  await expect(card.getByRole('heading', { name: 'Test restore', exact: true })).toBeVisible();
  await screenshot(page, 'dashboard-locations');

  await page.getByTestId('theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screenshot(page, 'dashboard-locations-dark');

  // Prometheus sees the same states, without the paths, hosts or the file name.
  const metrics = await page.request.get('/metrics');
  expect(metrics.status()).toBe(200);
  const body = await metrics.text();
  expect(body).toContain('evidence_locker_location_status{location="backup directory",kind="local",status="ok"} 1');
  expect(body).toContain('evidence_locker_location_status{location="NAS in the basement",kind="sftp",status="ok"} 1');
  expect(body).toContain('evidence_locker_location_status{location="Old NAS",kind="sftp",status="failing"} 1');
  expect(body).toContain('evidence_locker_newest_backup_copies 2');
  for (const secret of [locker.root, user.homeDir, user.username, user.password, fileName]) expect(body).not.toContain(secret);
});

test.describe('on a phone, in German and the dark theme', () => {
  test.use({ locale: 'de-DE', viewport: { width: 375, height: 740 } });

  test('the location lines fit a 375 px screen', async ({ page, locker }) => {
    await backUpToTwoTargets(locker);
    await page.goto('/');
    await page.getByTestId('theme').selectOption('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const card = page.getByTestId('dashboard-locations');
    await expect(card.getByRole('heading', { name: 'Wo Ihre Sicherungen liegen', exact: true })).toBeVisible();
    const lines = locationLines(page);
    await expect(lines.getByTestId('location-name')).toHaveText(['Sicherungsverzeichnis', 'NAS in the basement', 'Old NAS']);
    await expect(lines.getByTestId('location-status')).toHaveText(['In Ordnung', 'In Ordnung', /^Fehler: /]);
    await expect(card.getByTestId('rule-off')).toContainText('keine außerhalb dieses Rechners (1 empfohlen)');
    await expect(card.getByTestId('space-line')).toHaveText(/ frei: Platz für etwa [\d.]+ weitere Sicherungen von /);
    await expectNoHorizontalOverflow(page, 'the dashboard with its locations');
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'mobile-dashboard-locations-de-dark');
  });
});
