/**
 * `locker backup list`: the backups in a backup directory, newest first. A sealed backup is shown as
 * such, with how it opens (its age header says so without a key); its trigger is read only with the
 * identities of the data directory `--data-dir` names.
 */
import { identitiesOf, listBackups } from '@evidence-locker/core';
import { createOutput, printJson } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { openWorkDirs } from '../open-work-dirs.ts';
import { formatBytes } from '../progress-bar.ts';
import { readInstanceSealSettings } from '../seal-keys.ts';

export const backupListCommand: Command = {
  name: 'backup list',
  summary: 'List the backups in a backup directory, newest first (sealed ones marked as such).',
  usage: '--backup-dir DIR [--data-dir DIR] [--json]',
  notes: ["--data-dir: read the trigger of sealed backups too, with the identities in that data directory's settings."],
  async run(args) {
    const { values } = parseCommandArgs(args, { 'backup-dir': { type: 'string' }, 'data-dir': { type: 'string' } });
    const backupDir = requireOption(values['backup-dir'], 'backup-dir');
    const dataDir = values['data-dir'];
    await openWorkDirs({ backupDir, dataDir });
    const identities = dataDir === undefined ? undefined : identitiesOf(await readInstanceSealSettings(dataDir));
    const backups = await listBackups(backupDir, { identities });
    if (values.json) {
      printJson({ ok: true, backups });
      return 0;
    }
    const out = createOutput(false);
    if (backups.length === 0) {
      out.line('No backups found.');
      return 0;
    }
    const sealed = { identity: 'sealed (identity)', passphrase: 'sealed (passphrase)' } as const;
    out.table(
      backups.map((backup) => [
        backup.fileName,
        `${formatBytes(backup.size).padStart(9)}  ${backup.modified}  ${(backup.trigger ?? '-').padEnd(11)}  ${backup.sealed === null ? 'plain' : sealed[backup.sealed]}`,
      ]),
      0,
    );
    return 0;
  },
};
