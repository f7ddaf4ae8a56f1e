/** `locker backup verify`: full check of a stored backup, databases included, data dir untouched. */
import path from 'node:path';
import { verifyBackup } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { withWorkDirsHeld } from '../open-work-dirs.ts';
import { withProgressBar } from '../progress-bar.ts';
import { printArchiveSummary } from './archive-summary.ts';

export const backupVerifyCommand: Command = {
  name: 'backup verify',
  summary: "Verify a stored backup in full: checksums and SQLite's integrity check of each database.",
  usage: '--backup-dir DIR FILE_NAME [--json]',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { 'backup-dir': { type: 'string' } }, { positionals: 1 });
    const fileName = positionals[0];
    if (fileName === undefined) throw new UsageError('name the backup to verify');
    const backupDir = path.resolve(requireOption(values['backup-dir'], 'backup-dir'));
    const result = await withWorkDirsHeld({ backupDir }, () =>
      withProgressBar(!values.json, (onProgress) => verifyBackup(backupDir, fileName, { onProgress })),
    );
    if (values.json) {
      printJson({ ok: true, ...result });
      return 0;
    }
    const out = createOutput(false);
    out.line(`Verified ${fileName}: ${result.databasesChecked.join(' and ') || 'no databases'} passed the integrity check.`);
    printArchiveSummary(out, result);
    return 0;
  },
};
