/** `locker backup delete`: delete one backup by its file name (never anything else). */
import path from 'node:path';
import { deleteBackup } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { openWorkDirs } from '../open-work-dirs.ts';

export const backupDeleteCommand: Command = {
  name: 'backup delete',
  summary: 'Delete one backup, named by its file name.',
  usage: '--backup-dir DIR FILE_NAME [--json]',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { 'backup-dir': { type: 'string' } }, { positionals: 1 });
    const fileName = positionals[0];
    if (fileName === undefined) throw new UsageError('name the backup to delete, e.g. docsight_backup_2026-11-26_070200.tar.gz');
    const backupDir = path.resolve(requireOption(values['backup-dir'], 'backup-dir'));
    await openWorkDirs({ backupDir });
    await deleteBackup(backupDir, fileName);
    if (values.json) printJson({ ok: true, deleted: fileName });
    else createOutput(false).line(`Deleted ${fileName}`);
    return 0;
  },
};
