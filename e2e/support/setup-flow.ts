/** Shared steps: a new setup through the wizard (the way a user configures a fresh instance). */
import { expect, type Page } from '@playwright/test';

/** Runs the new-setup wizard with a FRITZ!Box and optionally an admin password; ends on the dashboard. */
export async function completeNewSetup(page: Page, options: { adminPassword?: string; modemUrl?: string } = {}): Promise<void> {
  await page.goto('/setup');
  await page.getByRole('button', { name: 'Set up new', exact: true }).click();
  await page.getByLabel('Modem type', { exact: true }).selectOption('fritzbox');
  if (options.modemUrl) await page.getByLabel('Modem URL', { exact: true }).fill(options.modemUrl);
  await page.getByLabel('User name', { exact: true }).fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('modem-secret');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  if (options.adminPassword) {
    await page.getByLabel('Admin password (optional)', { exact: true }).fill(options.adminPassword);
    await page.getByLabel('Confirm admin password', { exact: true }).fill(options.adminPassword);
  }
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByTestId('finish-setup').click();
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
  await expect(page.getByTestId('dashboard-modem')).toContainText('fritzbox');
}
