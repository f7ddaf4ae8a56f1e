/**
 * Journey 21, backups that cost what changed: the first Backup now compresses everything and says
 * why (no earlier backup in the backup path); the second takes the unchanged chunks over from the
 * first and says how many it compressed and from which backup it took the rest; both archives
 * validate. In German too.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { runCli } from '@evidence-locker/harness';
import { expect, test, GERMAN_PHONE } from '../support/test.ts';

test.use({
  lockerOptions: {
    prepare: (root) => fs.writeFileSync(path.join(root, 'data', 'config.json'), JSON.stringify({ modem_type: 'fritzbox' })),
  },
});

/** Backup now, then the newest row's file name once the list shows `rows` backups. */
async function backupNow(page: Page, rows: number): Promise<string> {
  await page.getByTestId('backup-now').click();
  await expect(page.getByTestId('backup-now-result')).toBeVisible();
  await expect(page.getByTestId('backup-row')).toHaveCount(rows);
  return (await page.getByTestId('backup-row').first().getAttribute('data-file'))!;
}

test('the first backup compresses everything and says why; the next takes the unchanged chunks over from it', async ({ page, locker }) => {
  await page.goto('/settings');
  const first = await backupNow(page, 1);
  await expect(page.getByTestId('backup-now-reuse')).toHaveText('Compressed in full: the backup path holds no earlier backup yet.');

  const second = await backupNow(page, 2);
  expect(second).not.toBe(first);
  await expect(page.getByTestId('backup-now-reuse')).toHaveText(
    new RegExp(
      `^Compressed \\d+ of \\d+ chunks; [1-9]\\d* chunks \\([^)]+\\) were taken over unchanged from ${first.replaceAll('.', '\\.')}\\.$`,
    ),
  );
  for (const file of [first, second]) {
    expect((await runCli(['backup', 'validate', path.join(locker.backupDir, file)])).stdout).toContain('Valid backup');
  }
});

test.describe('in German', () => {
  test.use(GERMAN_PHONE);

  test('sagt, wie viel die zweite Sicherung aus der ersten übernommen hat', async ({ page }) => {
    await page.goto('/settings');
    const first = await backupNow(page, 1);
    await expect(page.getByTestId('backup-now-reuse')).toHaveText(
      'Vollständig komprimiert: Im Sicherungspfad liegt noch keine frühere Sicherung.',
    );
    await backupNow(page, 2);
    await expect(page.getByTestId('backup-now-reuse')).toHaveText(
      new RegExp(
        `^\\d+ von \\d+ Blöcken komprimiert; [1-9]\\d* Blöcke \\([^)]+\\) unverändert aus ${first.replaceAll('.', '\\.')} übernommen\\.$`,
      ),
    );
  });
});
