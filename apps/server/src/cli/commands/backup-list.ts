/** `locker backup list`: the backups in a backup directory, newest first. */
import { listBackups } from '@evidence-locker/core';
import { createOutput, printJson } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { openWorkDirs } from '../open-work-dirs.ts';
import { formatBytes } from '../progress-bar.ts';

export const backupListCommand: Command = {
  name: 'backup list',
  summary: 'List the backups in a backup directory, newest first.',
  usage: '--backup-dir DIR [--json]',
  async run(args) {
    const { values } = parseCommandArgs(args, { 'backup-dir': { type: 'string' } });
    const backupDir = requireOption(values['backup-dir'], 'backup-dir');
    await openWorkDirs({ backupDir });
    const backups = await listBackups(backupDir);
    if (values.json) {
      printJson({ ok: true, backups });
      return 0;
    }
    const out = createOutput(false);
    if (backups.length === 0) {
      out.line('No backups found.');
      return 0;
    }
    out.table(
      backups.map((backup) => [backup.fileName, `${formatBytes(backup.size).padStart(9)}  ${backup.modified}  ${backup.trigger ?? '-'}`]),
      0,
    );
    return 0;
  },
};
