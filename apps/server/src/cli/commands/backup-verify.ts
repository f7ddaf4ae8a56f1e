/** `locker backup verify`: full check of a stored backup, databases included, data dir untouched. */
import path from 'node:path';
import { isBackupFileName, peekSealedWith, verifyBackup } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { withWorkDirsHeld } from '../open-work-dirs.ts';
import { withProgressBar } from '../progress-bar.ts';
import { OPEN_KEY_OPTIONS, openKeyForRead } from '../seal-keys.ts';
import { printArchiveSummary } from './archive-summary.ts';

export const backupVerifyCommand: Command = {
  name: 'backup verify',
  summary: "Verify a stored backup in full: checksums and SQLite's integrity check of each database.",
  usage: '--backup-dir DIR FILE_NAME [--identity FILE | --passphrase-file FILE | --data-dir DIR] [--json]',
  notes: [
    "A sealed backup (….tar.gz.age) opens with --identity (a recovery kit or age-keygen's file; - reads stdin),",
    '--passphrase-file (its first line), or the keys in the settings of the data directory --data-dir names.',
  ],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      { 'backup-dir': { type: 'string' }, ...OPEN_KEY_OPTIONS, 'data-dir': { type: 'string' } },
      { positionals: 1 },
    );
    const fileName = positionals[0];
    if (fileName === undefined) throw new UsageError('name the backup to verify');
    const backupDir = path.resolve(requireOption(values['backup-dir'], 'backup-dir'));
    const dataDir = values['data-dir'] === undefined ? undefined : path.resolve(values['data-dir']);
    // Only a backup's name is looked at inside the backup directory (verifyBackup refuses others).
    const archive = isBackupFileName(fileName) ? path.join(backupDir, fileName) : undefined;
    const result = await withWorkDirsHeld({ backupDir }, async () => {
      const key = archive === undefined ? undefined : await openKeyForRead(values, archive, dataDir);
      return withProgressBar(!values.json, (onProgress) => verifyBackup(backupDir, fileName, { onProgress, key }));
    });
    const sealedWith = archive === undefined ? null : await peekSealedWith(archive);
    if (values.json) {
      printJson({ ok: true, sealed: sealedWith !== null, ...result });
      return 0;
    }
    const out = createOutput(false);
    out.line(`Verified ${fileName}: ${result.databasesChecked.join(' and ') || 'no databases'} passed the integrity check.`);
    printArchiveSummary(out, result, sealedWith);
    return 0;
  },
};
