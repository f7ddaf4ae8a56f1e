/**
 * Journey 18: know that it works. A person adds a JSON webhook (a real HTTP receiver on loopback,
 * started here) as an alert channel in the settings; "Send test" first says exactly why the
 * receiver refused it, then that it was accepted. Then the backup directory becomes unusable (a
 * file where the directory was): the scheduled backup fails, the dashboard shows it failing, and
 * the webhook gets exactly one alert, also after the server restarted and the backup failed
 * again. Once the directory is back, the next scheduled backup sends exactly one recovery. On a
 * phone in German and the dark theme, the section and its editor fit and name wrong fields.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startHttpReceiver, type HttpReceiver } from '@evidence-locker/test-servers/http-receiver';
import type { LockerServer } from '../support/locker-server.ts';
import { expect, expectNoHorizontalOverflow, screenshot, test, GERMAN_PHONE } from '../support/test.ts';

let receiver: HttpReceiver;

test.beforeEach(async () => {
  receiver = await startHttpReceiver();
});

test.afterEach(async () => {
  await receiver?.close();
});

/** What the webhook received, as (event, subject) pairs. */
function received(): string[] {
  return receiver.requests.map((request) => {
    const body = request.json as { event: string; subject: string };
    return `${body.event} ${body.subject}`;
  });
}

/** Changes config.json with the server halted, then starts it again. */
async function withConfig(locker: LockerServer, change: Record<string, unknown>): Promise<void> {
  await locker.halt();
  const file = path.join(locker.dataDir, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify({ ...config, ...change }, null, 2));
  await locker.restart();
}

/** Reloads the dashboard until the protection line is in `state`. */
async function dashboardState(page: Page, state: string): Promise<void> {
  await page.goto('/');
  // The page does not refresh itself: reload until the schedule's outcome shows (each look is the
  // attribute as it is, so a reload comes at once, not after a long wait for the state).
  await expect
    .poll(async () => {
      await page.reload();
      return page.getByTestId('protection').getAttribute('data-state');
    })
    .toBe(state);
}

test.describe('alerts', () => {
  test.use({
    // Send test's refusal is answered 502.
    allowedConsoleErrors: [/status of 502/],
    lockerOptions: {
      prepare: (root) => {
        fs.mkdirSync(path.join(root, 'storage'));
        fs.writeFileSync(path.join(root, 'data', 'config.json'), JSON.stringify({ modem_type: 'fritzbox' }));
      },
      env: (root) => ({ BROWSE_ROOTS: `${path.join(root, 'storage')}:${path.join(root, 'backups')}`, SCHEDULE_START_DELAY_SECONDS: '1' }),
    },
  });

  test('a failing scheduled backup shows on the dashboard and reaches the webhook once; after the fix, one recovery', async ({
    page,
    locker,
  }) => {
    await page.goto('/settings');
    const section = page.getByTestId('alerts-section');
    await expect(section.getByRole('heading', { name: 'Alerts', exact: true })).toBeVisible();
    await expect(section.getByTestId('alerts-empty')).toHaveText('No alert channels yet: failures show only on these pages.');
    await section.getByRole('button', { name: 'Add a channel', exact: true }).click();
    const editor = page.getByRole('dialog', { name: 'Add an alert channel', exact: true });
    await expect(editor.getByLabel('Kind', { exact: true })).toHaveValue('webhook');
    // A new channel writes its messages in the page's language.
    await expect(editor.getByLabel('Language of the messages', { exact: true })).toHaveValue('en');
    await editor.getByLabel('Name', { exact: true }).fill('Home Assistant');
    await editor.getByLabel('Webhook URL', { exact: true }).fill(`${receiver.url}/api/webhook/locker-7f3a`);
    await editor.getByLabel('Token (optional)', { exact: true }).fill('wrong-token');

    // The receiver refuses the token: the test says so, with its answer.
    receiver.answer({ status: 401, body: JSON.stringify({ message: 'bad token' }) });
    await editor.getByRole('button', { name: 'Send test', exact: true }).click();
    const refusal = editor.getByTestId('alert-editor-test-error');
    await expect(refusal).toContainText('The test message could not be sent');
    await expect(refusal).toContainText(
      `${receiver.url} refused the login: the token, user name or password is wrong, or the account may not send there.`,
    );
    receiver.answer({ status: 200, body: '{}' });
    await editor.getByLabel('Token (optional)', { exact: true }).fill('right-token');
    await editor.getByRole('button', { name: 'Send test', exact: true }).click();
    await expect(editor.getByTestId('alert-editor-test-result')).toContainText('The test message was accepted');
    expect(received()).toEqual(['test test', 'test test']);
    expect(receiver.requests[1]?.headers.authorization).toBe('Bearer right-token');
    await editor.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(editor).toBeHidden();
    const channel = section.getByTestId('alert-channel');
    await expect(channel.getByRole('heading', { name: 'Home Assistant', exact: true })).toBeVisible();
    await expect(channel).toContainText(receiver.url);
    // The URL's path (its secret) is not shown again.
    await expect(channel).not.toContainText('locker-7f3a');

    // The backup directory is unusable (a file where it should be); the schedule runs a second after the start.
    const nas = path.join(locker.root, 'storage', 'nas');
    fs.writeFileSync(nas, 'not a directory');
    await withConfig(locker, { backup_enabled: true, backup_path: nas, backup_interval_hours: 24 });
    await dashboardState(page, 'failing');
    await expect(page.getByTestId('protection-line')).toContainText(nas);
    await expect.poll(received).toEqual(['test test', 'test test', 'failure scheduled-backup']);
    const alert = receiver.requests[2]?.json as { title: string; text: string; code: string };
    expect(alert.title).toBe('Evidence Locker: the scheduled backup failed');
    expect(receiver.requests[2]?.json).toMatchObject({ language: 'en' });
    expect(alert.text).toContain(nas);

    // A restart runs the backup again, which fails again: still one alert, no second one.
    await withConfig(locker, {});
    await page.goto('/settings');
    await expect
      .poll(async () => {
        await page.reload();
        return page.getByTestId('alerts-failing').getAttribute('data-count');
      })
      .toBe('2');
    await expect(page.getByTestId('alerts-failing')).toContainText('Scheduled backup: since');
    await expect(section.getByTestId('alert-channel-delivery')).toHaveText(/^Last message: an alert, /);
    expect(received()).toEqual(['test test', 'test test', 'failure scheduled-backup']);

    // Fixed: the directory is back; the next scheduled backup (a second after the start) sends one recovery.
    fs.rmSync(nas);
    fs.mkdirSync(nas);
    await withConfig(locker, {});
    await dashboardState(page, 'protected');
    await expect.poll(received).toEqual(['test test', 'test test', 'failure scheduled-backup', 'recovery scheduled-backup']);
    expect((receiver.requests[3]?.json as { title: string }).title).toBe('Evidence Locker: scheduled backups work again');
    await page.goto('/settings');
    await expect(page.getByTestId('alerts-failing')).toBeHidden();
    await expect(section.getByTestId('alert-channel-delivery')).toHaveText(/^Last message: a recovery, /);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-alerts');
  });
});

test.describe('alerts on a phone, in German and the dark theme', () => {
  test.use(GERMAN_PHONE);

  test('adds an e-mail channel after naming each wrong field, and the section fits a small screen', async ({ page }) => {
    await page.goto('/settings');
    await page.getByTestId('theme').selectOption('dark');
    const section = page.getByTestId('alerts-section');
    await expect(section.getByRole('heading', { name: 'Alarme', exact: true })).toBeVisible();
    await section.getByRole('button', { name: 'Kanal hinzufügen', exact: true }).click();
    const editor = page.getByRole('dialog', { name: 'Alarmkanal hinzufügen', exact: true });
    await editor.getByLabel('Art', { exact: true }).selectOption('email');
    await editor.getByLabel('SMTP-Server', { exact: true }).fill('smtp://mail.example.org');
    await editor.getByLabel('Absenderadresse', { exact: true }).fill('locker');
    await editor.getByLabel('Empfänger', { exact: true }).fill('admin@example.org, jemand');
    await editor.getByRole('button', { name: 'Speichern', exact: true }).click();
    await expect(editor.getByText('Gib dem Kanal einen Namen.', { exact: true })).toBeVisible();
    await expect(editor.getByText('Gib nur einen Hostnamen oder eine Adresse ein, ohne Schema und Port.', { exact: true })).toBeVisible();
    await expect(editor.getByText('Das ist keine E-Mail-Adresse.', { exact: true })).toBeVisible();
    await expect(editor.getByText('Einer der Empfänger ist keine E-Mail-Adresse.', { exact: true })).toBeVisible();
    await expectNoHorizontalOverflow(page, 'the alert channel editor');
    await screenshot(page, 'mobile-settings-alert-de-dark', { fullPage: false });

    await editor.getByLabel('Name', { exact: true }).fill('Postfach');
    await editor.getByLabel('SMTP-Server', { exact: true }).fill('mail.example.org');
    await editor.getByLabel('Absenderadresse', { exact: true }).fill('locker@example.org');
    await editor.getByLabel('Empfänger', { exact: true }).fill('admin@example.org, zweite@example.org');
    await expect(editor.getByLabel('Sprache der Nachrichten', { exact: true })).toHaveValue('de');
    await editor.getByRole('button', { name: 'Speichern', exact: true }).click();
    await expect(editor).toBeHidden();
    const channel = section.getByTestId('alert-channel');
    await expect(channel.getByRole('heading', { name: 'Postfach', exact: true })).toBeVisible();
    await expect(channel).toContainText('admin@example.org, zweite@example.org');
    await expect(channel.getByTestId('alert-channel-delivery')).toHaveText('Noch nichts gesendet.');
    await expect(section.getByTestId('alerts-result')).toContainText('Postfach gespeichert.');
    await expectNoHorizontalOverflow(page, 'the alerts section');
  });
});
