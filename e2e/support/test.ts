/**
 * The e2e `test`: every test gets its own server (fresh data dir) as `locker`, the page's baseURL
 * pointing at it, and a check that the page logged no console errors and threw nothing.
 * `lockerOptions` configures the server; `allowedConsoleErrors` lists the console
 * lines a test expects (e.g. the 400 of a rejected upload).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';
import { startLockerServer, type LockerServer } from './locker-server.ts';

const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../screenshots');

/** How to start a test's server (an object: Playwright treats a bare function as a fixture). */
export interface LockerOptions {
  /** Extra environment, given the temp root. */
  env?: (root: string) => Record<string, string>;
  /** Runs on the temp root before the server starts (e.g. create directories). */
  prepare?: (root: string) => void;
}

interface Fixtures {
  lockerOptions: LockerOptions;
  allowedConsoleErrors: RegExp[];
  locker: LockerServer;
  consoleErrors: string[];
}

export const test = base.extend<Fixtures>({
  lockerOptions: [{}, { option: true }],
  allowedConsoleErrors: [[], { option: true }],
  locker: async ({ lockerOptions }, use, testInfo) => {
    const server = await startLockerServer(lockerOptions);
    try {
      await use(server);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('server-output', { body: server.output() });
      await server.stop();
    }
  },
  baseURL: async ({ locker }, use) => {
    await use(locker.url);
  },
  consoleErrors: [
    async ({ page, allowedConsoleErrors }, use) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const text = message.text();
        if (!allowedConsoleErrors.some((pattern) => pattern.test(text))) errors.push(text);
      });
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      await use(errors);
      expect(errors, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** A configured instance whose saved language is German (config.json), written into `root`'s data dir. */
export function writeGermanConfig(root: string): void {
  fs.writeFileSync(path.join(root, 'data', 'config.json'), JSON.stringify({ modem_type: 'fritzbox', language: 'de' }));
}

/** `test.use` for a phone (375 px) in German on a configured German instance. */
export const GERMAN_PHONE = {
  locale: 'de-DE',
  viewport: { width: 375, height: 740 },
  lockerOptions: { prepare: writeGermanConfig },
} satisfies Parameters<typeof test.use>[0];

/**
 * Saves a screenshot of the page as e2e/screenshots/<name>.png (the README shows some). Whole
 * page by default; `fullPage: false` for modal dialogs, whose backdrop covers only the viewport.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Web fonts may still be loading; `animations: 'disabled'` below ends transitions.
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: options.fullPage ?? true, animations: 'disabled' });
}

/** Fails when the page is wider than its viewport (horizontal scrolling). */
export async function expectNoHorizontalOverflow(page: Page, screen: string): Promise<void> {
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.scroll, `${screen}: page width ${widths.scroll}px in a ${widths.viewport}px viewport`).toBeLessThanOrEqual(widths.viewport);
}
