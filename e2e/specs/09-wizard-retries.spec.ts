/**
 * Journey 9: a person with several wrong or damaged files retries in the setup wizard. Twenty picks
 * in a row, valid and invalid archives mixed, each replacing the last by a new pick, "Choose another
 * file" or "Back": every pick gets its own answer (the archive's contents or why it was refused),
 * never a lock-out, and the data directory holds the staged files of the last pick only. That pick
 * then restores.
 */
import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from '../support/test.ts';
import { DEMO_ARCHIVE, REAL_ARCHIVE, hostileArchive, notGzip } from '../support/archives.ts';

// The browser logs every refused upload (400) as a console error; here they are the point.
test.use({ allowedConsoleErrors: [/Failed to load resource: the server responded with a status of 400/] });

type Pick = 'real' | 'demo' | 'notGzip' | 'hostile';
const PICKS: Pick[] = [
  'real',
  'notGzip',
  'demo',
  'hostile',
  'notGzip',
  'real',
  'real',
  'hostile',
  'demo',
  'notGzip',
  'real',
  'hostile',
  'demo',
  'demo',
  'notGzip',
  'real',
  'hostile',
  'real',
  'notGzip',
  'demo',
];

const BYTES: Record<Pick, () => Buffer> = {
  real: () => fs.readFileSync(REAL_ARCHIVE),
  demo: () => fs.readFileSync(DEMO_ARCHIVE),
  notGzip,
  hostile: hostileArchive,
};

/** What the wizard says about each kind of file. */
const REFUSAL: Partial<Record<Pick, string>> = {
  notGzip: 'This is not a backup archive: the file is not gzip-compressed',
  hostile: 'The archive holds ../escaped.txt, an unsafe path',
};

/** The staged upload files in the data directory (the archive and its prepared members). */
function staged(dataDir: string): string[] {
  return fs
    .readdirSync(dataDir)
    .filter((name) => name.startsWith('.evidence-locker-upload-') || name.startsWith('.evidence-locker-prepared-'));
}

/** Picks `kind` as `name` and waits for the server's answer; returns its status and upload id. */
async function pick(page: Page, kind: Pick, name: string): Promise<{ status: number; uploadId: string | undefined }> {
  const answer = page.waitForResponse((response) => response.url().endsWith('/api/uploads') && response.request().method() === 'POST');
  await page
    .getByLabel('Select backup file (.tar.gz)', { exact: true })
    .setInputFiles({ name, mimeType: 'application/gzip', buffer: BYTES[kind]() });
  const response = await answer;
  const body = (await response.json()) as { uploadId?: string };
  return { status: response.status(), uploadId: body.uploadId };
}

test('twenty picks in a row, valid and invalid, each get their answer and leave only the last one staged', async ({ page, locker }) => {
  test.slow();
  await page.goto('/setup');
  await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();

  let lastUploadId: string | undefined;
  for (const [index, kind] of PICKS.entries()) {
    const name = `pick-${index + 1}.tar.gz`;
    const { status, uploadId } = await pick(page, kind, name);
    const refusal = REFUSAL[kind];
    if (refusal === undefined) {
      expect(status, name).toBe(200);
      await expect(page.getByText(name, { exact: true })).toBeVisible();
      await expect(page.getByTestId('archive-summary')).toBeVisible();
      lastUploadId = uploadId;
    } else {
      expect(status, name).toBe(400);
      await expect(page.getByTestId('restore-error')).toContainText(refusal);
      lastUploadId = undefined;
    }
    if (index === PICKS.length - 1) break;

    // Move on the ways a person does: another file, or back to the start and in again.
    if (index % 3 === 2) {
      await page.getByRole('button', { name: 'Back', exact: true }).click();
      await expect(page.getByRole('heading', { name: 'Your DOCSight data, backed up and restorable anywhere', exact: true })).toBeVisible();
      await page.getByRole('button', { name: 'Restore from a backup', exact: true }).click();
    } else if (refusal === undefined) {
      await page.getByRole('button', { name: 'Choose another file', exact: true }).click();
    }
    // After a refusal the file picker is still there: the next pick simply replaces it.
  }

  // The last pick was valid: its archive and its prepared members are all the server keeps.
  expect(lastUploadId).toBeDefined();
  const id = lastUploadId ?? '';
  await expect.poll(() => staged(locker.dataDir).filter((file) => !file.includes(id))).toEqual([]);
  expect(staged(locker.dataDir)).toContain(`.evidence-locker-upload-${id}.tar.gz`);

  // And it still restores.
  await page.getByTestId('restore-confirm').click();
  await expect(page.getByRole('heading', { name: '✓ Backup restored', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Continue: connect your modem', exact: true }).click();
  await expect(page.getByTestId('restored-notice')).toContainText('no modem configured');
  await expect.poll(() => staged(locker.dataDir)).toEqual([]);
});
