/**
 * End-to-end journeys in Debian's Chromium (/usr/bin/chromium; never a downloaded browser). Each
 * test starts the built server (apps/server/dist/locker.js serve, as `pnpm start` runs it, through
 * @evidence-locker/harness) on a fresh temp data directory and its own port (support/test.ts), so
 * tests share nothing. Run `pnpm --filter
 * @evidence-locker/e2e test`, which builds the web app and the server bundle first.
 */
import fs from 'node:fs';
import { defineConfig } from '@playwright/test';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

if (!fs.existsSync(CHROMIUM)) {
  throw new Error(
    `Chromium not found at ${CHROMIUM}. The e2e tests use Debian's Chromium and never download a browser: ` +
      'install it with `apt-get install chromium` (.ci/run does this), or set CHROMIUM_PATH.',
  );
}

export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  // One pair of limits for every wait, sized for a busy 2-core machine (the suite beside a full
  // `pnpm test` and more, load average 12-18): there, generating the demo data took 25-36 s (12 s
  // with less beside it) and the longest journeys 50-59 s. Specs wait for what the page shows and
  // never pass a shorter timeout of their own (lint/find-locator-problems.ts fails them), so a slow
  // machine makes the suite slower, not red; only a real failure waits the limit out.
  timeout: 300_000,
  expect: { timeout: 120_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    locale: 'en-US',
    timezoneId: 'Europe/Berlin',
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
