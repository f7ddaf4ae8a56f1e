/**
 * Journey 10: a person whose browser speaks German reads everything in German: why an archive was
 * refused (the engine's verdict, sent as a code), what a restorable archive warns about, and what
 * the demo is doing while it fills the instance, in steps and rows, never an internal phase name.
 */
import { expect, test } from '../support/test.ts';
import { archiveWithWarnings, hostileArchive, notGzip } from '../support/archives.ts';

test.use({
  locale: 'de-DE',
  // The browser logs every refused upload (400) as a console error; here they are the point.
  allowedConsoleErrors: [/Failed to load resource: the server responded with a status of 400/],
});

test('says in German why an archive is refused and what a restorable one warns about', async ({ page }) => {
  await page.goto('/setup');
  await page.getByRole('button', { name: 'Aus einer Sicherung wiederherstellen', exact: true }).click();
  const picker = page.getByLabel('Sicherungsdatei auswählen (.tar.gz)', { exact: true });
  const error = page.getByTestId('restore-error');

  await picker.setInputFiles({ name: 'notizen.tar.gz', mimeType: 'application/gzip', buffer: notGzip() });
  await expect(error).toContainText('Ungültige Sicherungsdatei');
  await expect(error).toContainText('Das ist kein Sicherungsarchiv: Die Datei ist nicht gzip-komprimiert (.tar.gz).');
  await expect(error).not.toContainText('Invalid archive');

  await picker.setInputFiles({ name: 'fremd.tar.gz', mimeType: 'application/gzip', buffer: hostileArchive() });
  await expect(error).toContainText('Das Archiv enthält ../escaped.txt, einen unsicheren Pfad');
  await expect(error).not.toContainText('Unsafe path');

  await picker.setInputFiles({ name: 'mit-notizen.tar.gz', mimeType: 'application/gzip', buffer: archiveWithWarnings() });
  const warnings = page.getByTestId('archive-warnings');
  await expect(warnings).toContainText('Hinweise');
  await expect(warnings).toContainText('Die Datei notes.txt im Archiv gehört nicht zu einer DOCSight-Sicherung und wurde übersprungen.');
  await expect(warnings).toContainText('Diese Sicherung hat die Formatversion 2');
  await expect(warnings).not.toContainText('Skipping');
  await expect(warnings).not.toContainText('format_version');
});

test("shows the demo's progress in German steps counting rows, never a phase name or bytes", async ({ page }) => {
  await page.goto('/setup');
  await expect(
    page.getByRole('heading', { name: 'Deine DOCSight-Daten, gesichert und überall wiederherstellbar', exact: true }),
  ).toBeVisible();
  // Every step text the progress shows, in order, however briefly it stands there.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressSteps: string[] }).progressSteps = seen;
    const record = () => {
      for (const detail of document.querySelectorAll('[data-testid="progress-detail"]')) {
        const text = detail.textContent?.trim() ?? '';
        if (text !== '' && seen.at(-1) !== text) seen.push(text);
      }
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
  });

  await page.getByTestId('start-demo').click();
  // The longest step, the signal history, counts its rows; screen readers get the same words.
  await expect(page.getByRole('progressbar', { name: 'Demo wird gestartet…', exact: true })).toHaveAttribute(
    'aria-valuetext',
    /^Signalverlauf wird geschrieben: [\d.]+ von [\d.]+ Zeilen$/,
  );
  await expect(page.getByRole('heading', { name: 'Übersicht', exact: true })).toBeVisible();
  await expect(page.getByTestId('demo-banner')).toBeVisible();

  const steps = await page.evaluate(() => (window as unknown as { progressSteps: string[] }).progressSteps);
  expect(steps.length).toBeGreaterThan(1);
  const wording =
    /^(Wartet…|Signalverlauf wird geschrieben|Ereignisse, Speedtests und Journal werden geschrieben|Messwerte des Verbindungsmonitors werden geschrieben|Demodaten werden gespeichert)(: [\d.]+ von [\d.]+ Zeilen)?$/;
  for (const step of steps) {
    expect(step).toMatch(wording);
    expect(step).not.toMatch(/checkpoint|snapshots|history-tables|connection-samples|\bB\b/);
  }
});
