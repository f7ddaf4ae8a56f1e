/**
 * Journey 6: with an admin password set, a visitor without a session sees the login page and no
 * data (nor does the API give any); the right password opens the dashboard.
 */
import { expect, screenshot, test } from '../support/test.ts';

// The wrong-password attempt is answered 401, which the browser logs.
test.use({ allowedConsoleErrors: [/status of 401/] });

test('a logged-out visitor sees only the login page until they log in', async ({ page, browser, locker }) => {
  await page.goto('/setup');
  await page.getByRole('button', { name: 'Set up new', exact: true }).click();
  await page.getByLabel('Modem type', { exact: true }).selectOption('fritzbox');
  await page.getByLabel('User name', { exact: true }).fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('modem-secret');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByLabel('Admin password (optional)', { exact: true }).fill('correct horse');
  await page.getByLabel('Confirm admin password', { exact: true }).fill('correct horse');
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await expect(page.getByTestId('setup-review')).toContainText(/Admin password\s*Set$/);
  await page.getByTestId('finish-setup').click();
  await expect(page.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();

  const visitor = await browser.newContext({ baseURL: locker.url });
  const stranger = await visitor.newPage();
  const strangerErrors: string[] = [];
  stranger.on('console', (message) => {
    if (message.type() === 'error' && !/status of 401/.test(message.text())) strangerErrors.push(message.text());
  });
  for (const path of ['/', '/settings', '/setup']) {
    await stranger.goto(path);
    await expect(stranger).toHaveURL(/\/login/);
    await expect(stranger.getByRole('heading', { name: 'Log in', exact: true })).toBeVisible();
    await expect(stranger.getByRole('heading', { name: 'Dashboard', exact: true })).toHaveCount(0);
    await expect(stranger.getByRole('link', { name: 'Settings', exact: true })).toHaveCount(0);
    await expect(stranger.locator('body')).not.toContainText('fritzbox');
  }
  await screenshot(stranger, 'login');

  const summary = await stranger.request.get('/trpc/dashboard.summary');
  expect(summary.status()).toBe(401);
  const download = await stranger.request.get('/api/backups/download');
  expect(download.status()).toBe(401);

  await stranger.getByLabel('Admin password', { exact: true }).fill('wrong password');
  await stranger.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(stranger.getByRole('alert')).toContainText('Wrong password.');
  await stranger.getByLabel('Admin password', { exact: true }).fill('correct horse');
  await stranger.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(stranger.getByRole('heading', { name: 'Dashboard', exact: true })).toBeVisible();
  await expect(stranger.getByTestId('dashboard-modem')).toContainText('fritzbox');
  expect(strangerErrors).toEqual([]);
  await visitor.close();
});
