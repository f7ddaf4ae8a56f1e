/**
 * Journey 7: every screen at 375 px wide (a small phone) fits without horizontal scrolling and
 * logs no console errors (the fixture in support/test.ts fails the test on any). Screenshots of
 * each screen go to e2e/screenshots/mobile-*.png; the dark theme is exercised on the way.
 */
import type { Page } from '@playwright/test';
import { expect, expectNoHorizontalOverflow, screenshot, test } from '../support/test.ts';
import { REAL_ARCHIVE } from '../support/archives.ts';
import { completeNewSetup } from '../support/setup-flow.ts';

test.use({ viewport: { width: 375, height: 740 } });

async function check(page: Page, name: string, fullPage = true): Promise<void> {
  await expectNoHorizontalOverflow(page, name);
  await screenshot(page, `mobile-${name}`, { fullPage });
}

test('the wizard, restore, dashboard and settings fit a 375 px screen', async ({ page, locker }) => {
  // Each check waits for its screen's heading first: measured a moment too early, the width
  // and the picture would be those of the screen before.
  await page.goto('/setup');
  await expect(page.getByRole('heading', { name: 'Your DOCSight data, backed up and restorable anywhere', exact: true })).toBeVisible();
  await check(page, 'first-run');

  await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Restore Backup', exact: true })).toBeVisible();
  await check(page, 'restore-pick');
  await page.getByLabel('Select backup file (.tar.gz)', { exact: true }).setInputFiles(REAL_ARCHIVE);
  await expect(page.getByTestId('archive-summary')).toBeVisible();
  await check(page, 'restore-summary');
  await page.getByRole('button', { name: 'Back', exact: true }).click();

  await page.getByRole('button', { name: 'Set up new', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Connect your modem', exact: true })).toBeVisible();
  await check(page, 'setup-modem');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await expect(page.getByText('Choose your modem type.', { exact: true })).toBeVisible();
  await check(page, 'setup-modem-errors');
  await page.getByLabel('Modem type', { exact: true }).selectOption('cm3000');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Protect this instance', exact: true })).toBeVisible();
  await check(page, 'setup-security');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Review', exact: true })).toBeVisible();
  await check(page, 'setup-review');
  await page.getByTestId('finish-setup').click();
  await expect(page.getByTestId('dashboard-modem')).toContainText('cm3000');
  await check(page, 'dashboard');

  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByTestId('backup-now').click();
  await expect(page.getByTestId('backup-row')).toHaveCount(1);
  await check(page, 'settings');
  await page.getByLabel('Enabled', { exact: true }).check();
  await page.getByTestId('browse').click();
  await expect(page.getByRole('dialog', { name: 'Select Directory', exact: true })).toBeVisible();
  await check(page, 'settings-browse', false);
  await page.keyboard.press('Escape');
  await page.getByTestId('save-settings').click();
  await expect(page.getByText('✓ Settings saved', { exact: true })).toBeVisible();

  // German and the dark theme, on the same screens.
  await page.getByTestId('language').selectOption('de');
  await page.getByTestId('theme').selectOption('dark');
  await expect(page.getByRole('heading', { name: 'Einstellungen', exact: true })).toBeVisible();
  await check(page, 'settings-de-dark');
  await page.getByRole('link', { name: 'Übersicht', exact: true }).click();
  await expect(page.getByTestId('dashboard-modem')).toContainText('cm3000');
  await check(page, 'dashboard-de-dark');
  expect(locker.url).toContain('127.0.0.1');
});

test('the login page fits a 375 px screen', async ({ page, browser, locker }) => {
  await completeNewSetup(page, { adminPassword: 'correct horse' });
  const visitor = await browser.newContext({ baseURL: locker.url, viewport: { width: 375, height: 740 } });
  const stranger = await visitor.newPage();
  const errors: string[] = [];
  stranger.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await stranger.goto('/');
  await expect(stranger.getByRole('heading', { name: 'Log in', exact: true })).toBeVisible();
  await check(stranger, 'login');
  expect(errors).toEqual([]);
  await visitor.close();
});
