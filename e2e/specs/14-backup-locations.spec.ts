/**
 * Journey 14, backup locations a person can actually choose. A configured instance whose saved
 * backup path is a read-only mount (a real read-only tmpfs: root writes through any chmod, so this
 * is the one way to get EROFS; mounting needs root, as CI has):
 * - the scheduled backup failed there, and the settings say why in the user's words; once another
 *   path is saved that failure is gone;
 * - Save refuses a read-only directory, a file and a path outside BROWSE_ROOTS, each with its real
 *   cause (the last with the README section that explains BROWSE_ROOTS), and the refusal goes
 *   away as soon as the path is changed;
 * - the Browse dialog shows the data directory but will not take it, and says why; the server
 *   refuses it too; it names the free space where it looks; New folder makes a folder, opens it,
 *   and Select and Save take it; a bad or taken name and a read-only disk are refused.
 * Each in English and in German.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createClient, mountTmpfs, REPO_ROOT, unmountAll } from '@evidence-locker/harness';
import { expect, test } from '../support/test.ts';

/** The words the journeys check, in each language. */
const LANGUAGES = {
  en: {
    locale: 'en-US',
    pathLabel: 'Backup Path',
    dialog: 'Select Directory',
    saved: '✓ Settings saved',
    none: 'None',
    newFolder: 'New folder',
    folderName: 'Folder name',
    create: 'Create',
    select: 'Select',
    free: 'Free space: 1.0 MB',
    inDataDir: 'data directory: backups there would be lost with it',
    inDataDirShown:
      'This is the data directory or inside it. A backup kept beside the data it protects is lost with it: choose a directory outside the data directory.',
    readOnly: (dir: string) =>
      `${dir} is on a read-only file system: nothing can be written there, and no chmod or chown can change that. Mount it read-write (for Docker: a volume without :ro) or choose another directory.`,
    notADirectory: (dir: string) => `${dir} is not a directory.`,
    outsideRoots: (dir: string, roots: string) =>
      `${dir} is outside the directories this server may keep backups in (${roots}). To allow it, add it to BROWSE_ROOTS in the server's environment and restart the server: README.md, section “Choosing where backups go (BROWSE_ROOTS)” (README.md#choosing-where-backups-go-browse_roots), shows how.`,
    inDataDirRefused: (dir: string) =>
      `${dir} is the data directory or inside it. A backup kept beside the data it protects is lost with it (a failed disk, a deleted volume), so it cannot hold backups: choose a directory outside the data directory, ideally on another disk.`,
    folderInvalid: (name: string) =>
      `“${name}” cannot be a folder name. Use at most 255 bytes, no “/”, and no “.” or space at the start or space at the end.`,
    folderExists: (dir: string) => `${dir} already exists. Choose it in the list, or give the new folder another name.`,
  },
  de: {
    locale: 'de-DE',
    pathLabel: 'Sicherungspfad',
    dialog: 'Verzeichnis auswählen',
    saved: '✓ Einstellungen gespeichert',
    none: 'Keine',
    newFolder: 'Neuer Ordner',
    folderName: 'Ordnername',
    create: 'Anlegen',
    select: 'Auswählen',
    free: 'Freier Speicher: 1,0 MB',
    inDataDir: 'Datenverzeichnis: Sicherungen dort gingen mit ihm verloren',
    inDataDirShown:
      'Das ist das Datenverzeichnis oder liegt darin. Eine Sicherung neben den Daten, die sie schützt, geht mit ihnen verloren: Wähle ein Verzeichnis außerhalb des Datenverzeichnisses.',
    readOnly: (dir: string) =>
      `${dir} liegt auf einem schreibgeschützten Dateisystem: Dort kann nichts geschrieben werden, und kein chmod oder chown ändert das. Hänge es beschreibbar ein (bei Docker: ein Volume ohne :ro) oder wähle ein anderes Verzeichnis.`,
    notADirectory: (dir: string) => `${dir} ist kein Verzeichnis.`,
    outsideRoots: (dir: string, roots: string) =>
      `${dir} liegt außerhalb der Verzeichnisse, in denen dieser Server Sicherungen ablegen darf (${roots}). Um es zu erlauben, nimm es in BROWSE_ROOTS in der Umgebung des Servers auf und starte den Server neu: README.md, Abschnitt „Choosing where backups go (BROWSE_ROOTS)“ (README.md#choosing-where-backups-go-browse_roots), zeigt wie.`,
    inDataDirRefused: (dir: string) =>
      `${dir} ist das Datenverzeichnis oder liegt darin. Eine Sicherung neben den Daten, die sie schützt, geht mit ihnen verloren (eine defekte Platte, ein gelöschtes Volume), deshalb ist dort kein Platz für Sicherungen: Wähle ein Verzeichnis außerhalb des Datenverzeichnisses, am besten auf einer anderen Platte.`,
    folderInvalid: (name: string) =>
      `„${name}“ kann kein Ordnername sein. Erlaubt sind höchstens 255 Bytes, kein „/“ und am Anfang kein „.“ oder Leerzeichen, am Ende kein Leerzeichen.`,
    folderExists: (dir: string) => `${dir} gibt es schon. Wähle es in der Liste oder gib dem neuen Ordner einen anderen Namen.`,
  },
} as const;

/** The read-only mount, a good directory and a file, all inside BROWSE_ROOTS (the temp root). */
const readOnlyDir = (root: string) => path.join(root, 'storage', 'readonly');
const nasDir = (root: string) => path.join(root, 'storage', 'nas');
const fileInTheWay = (root: string) => path.join(root, 'storage', 'notes.txt');

test.use({
  lockerOptions: {
    prepare: (root) => {
      fs.mkdirSync(nasDir(root), { recursive: true });
      fs.writeFileSync(fileInTheWay(root), 'not a directory');
      mountTmpfs(readOnlyDir(root), '1m', { readOnly: true });
      // A configured instance whose backups go to the read-only mount, as a volume mounted :ro would.
      fs.writeFileSync(
        path.join(root, 'data', 'config.json'),
        JSON.stringify({ modem_type: 'fritzbox', backup_enabled: true, backup_path: readOnlyDir(root) }),
      );
    },
    // The overdue scheduled backup runs at once, so its failure is there when the page opens.
    env: (root) => ({ BROWSE_ROOTS: root, SCHEDULE_START_DELAY_SECONDS: '0' }),
  },
  // Each refused Save or folder is an HTTP error, which the browser logs; here they are the point.
  allowedConsoleErrors: [/Failed to load resource: the server responded with a status of (400|403|409)/],
});

test.afterEach(() => {
  unmountAll();
});

/** GitHub's anchors of the README's headings: lower case, punctuation but - and _ dropped, spaces as -. */
function readmeAnchors(): string[] {
  return fs
    .readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('#'))
    .map((line) =>
      line
        .replace(/^#+\s*/, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replaceAll(' ', '-'),
    );
}

for (const [language, words] of Object.entries(LANGUAGES)) {
  test.describe(`in ${language === 'en' ? 'English' : 'German'}`, () => {
    test.use({ locale: words.locale });

    test('Save refuses a backup location with its real cause, and an old failure goes with the old path', async ({ page, locker }) => {
      const root = locker.root;
      const readOnly = readOnlyDir(root);
      // The scheduled backup ran at start and failed on the read-only mount.
      const client = createClient(locker.url);
      await expect.poll(async () => (await client.backups.schedule.query()).lastFailureCode).toBe('READ_ONLY_FILE_SYSTEM');

      await page.goto('/settings');
      const pathField = page.getByLabel(words.pathLabel, { exact: true });
      await expect(pathField).toHaveValue(readOnly);
      await expect(page.getByTestId('schedule-failure')).toHaveText(words.readOnly(readOnly));

      // A good directory: saved, and the failure about the read-only one is gone.
      await pathField.fill(nasDir(root));
      await page.getByTestId('save-settings').click();
      await expect(page.getByText(words.saved, { exact: true })).toBeVisible();
      await expect(page.getByTestId('schedule-failure')).toHaveCount(0);
      await expect(page.getByTestId('schedule-last-failure')).toHaveText(words.none);

      // Back to the read-only mount: refused with the real cause, nothing saved.
      const saveError = page.getByTestId('save-error');
      await pathField.fill(readOnly);
      await page.getByTestId('save-settings').click();
      await expect(saveError).toHaveText(words.readOnly(readOnly));
      await expect(page.getByText(words.saved, { exact: true })).toHaveCount(0);
      expect(JSON.parse(fs.readFileSync(path.join(locker.dataDir, 'config.json'), 'utf8'))).toMatchObject({ backup_path: nasDir(root) });
      expect(fs.readdirSync(readOnly)).toEqual([]);

      // The refusal was about that path: typing another one ends it.
      await pathField.fill(fileInTheWay(root));
      await expect(saveError).toHaveCount(0);
      await page.getByTestId('save-settings').click();
      await expect(saveError).toHaveText(words.notADirectory(fileInTheWay(root)));

      await pathField.fill('/etc');
      await page.getByTestId('save-settings').click();
      await expect(saveError).toHaveText(words.outsideRoots('/etc', root));
      // The section it points to is there.
      expect(readmeAnchors()).toContain('choosing-where-backups-go-browse_roots');

      await pathField.fill(locker.dataDir);
      await page.getByTestId('save-settings').click();
      await expect(saveError).toHaveText(words.inDataDirRefused(locker.dataDir));
      expect(JSON.parse(fs.readFileSync(path.join(locker.dataDir, 'config.json'), 'utf8'))).toMatchObject({ backup_path: nasDir(root) });
    });

    test('Browse shows the data directory without offering it, the free space, and makes a new folder', async ({ page, locker }) => {
      const root = locker.root;
      const storage = path.join(root, 'storage');
      await page.goto('/settings');
      const pathField = page.getByLabel(words.pathLabel, { exact: true });
      const dialog = page.getByRole('dialog', { name: words.dialog, exact: true });
      const shownPath = dialog.getByTestId('browse-path');

      // Opened at the data directory (typed in the field): shown, refused, and Select is off.
      await pathField.fill(locker.dataDir);
      await page.getByTestId('browse').click();
      await expect(shownPath).toHaveText(locker.dataDir);
      await expect(dialog.getByTestId('browse-refused')).toHaveText(words.inDataDirShown);
      await expect(dialog.getByRole('button', { name: words.select, exact: true })).toBeDisabled();
      await expect(dialog.getByRole('button', { name: words.newFolder, exact: true })).toHaveCount(0);

      // One level up (the breadcrumb's first step): the data directory is listed, disabled, with the reason.
      await dialog.getByRole('button', { name: root, exact: true }).click();
      await expect(shownPath).toHaveText(root);
      const dataRow = dialog.getByRole('button', { name: 'data', exact: true });
      await expect(dataRow).toBeDisabled();
      await expect(dataRow).toHaveAccessibleDescription(words.inDataDir);
      await expect(dialog.getByRole('button', { name: 'storage', exact: true })).toBeEnabled();
      await expect(dialog.getByTestId('browse-refused')).toHaveCount(0);

      // The free space of the directory shown: the read-only mount is exactly 1 MiB.
      await dialog.getByRole('button', { name: 'storage', exact: true }).click();
      await dialog.getByRole('button', { name: 'readonly', exact: true }).click();
      await expect(shownPath).toHaveText(readOnlyDir(root));
      await expect(dialog.getByTestId('browse-free')).toHaveText(words.free);

      // New folder on the read-only mount: the real cause, no folder.
      await dialog.getByRole('button', { name: words.newFolder, exact: true }).click();
      const name = dialog.getByLabel(words.folderName, { exact: true });
      await expect(name).toBeFocused();
      await name.fill('evidence');
      await dialog.getByRole('button', { name: words.create, exact: true }).click();
      await expect(dialog.getByRole('alert')).toHaveText(words.readOnly(readOnlyDir(root)));

      // In storage (a step of the breadcrumb): a hidden name and a taken one are refused, then a
      // good one is made and opened.
      await dialog.getByRole('button', { name: 'storage', exact: true }).click();
      await expect(shownPath).toHaveText(storage);
      await expect(dialog.getByTestId('browse-free')).toHaveText(/\d/);
      await dialog.getByRole('button', { name: words.newFolder, exact: true }).click();
      await name.fill('.hidden');
      await dialog.getByRole('button', { name: words.create, exact: true }).click();
      await expect(dialog.getByRole('alert')).toHaveText(words.folderInvalid('.hidden'));
      await name.fill('nas');
      await dialog.getByRole('button', { name: words.create, exact: true }).click();
      await expect(dialog.getByRole('alert')).toHaveText(words.folderExists(nasDir(root)));
      await name.fill('evidence');
      await dialog.getByRole('button', { name: words.create, exact: true }).click();
      const created = path.join(storage, 'evidence');
      await expect(shownPath).toHaveText(created);
      expect(fs.statSync(created).isDirectory()).toBe(true);
      expect(fs.existsSync(path.join(readOnlyDir(root), 'evidence'))).toBe(false);
      expect(fs.existsSync(path.join(storage, '.hidden'))).toBe(false);

      await dialog.getByRole('button', { name: words.select, exact: true }).click();
      await expect(dialog).toBeHidden();
      await expect(pathField).toHaveValue(created);
      await page.getByTestId('save-settings').click();
      await expect(page.getByText(words.saved, { exact: true })).toBeVisible();
      expect(JSON.parse(fs.readFileSync(path.join(locker.dataDir, 'config.json'), 'utf8'))).toMatchObject({ backup_path: created });
    });
  });
}
