/** `locker backup prune`: keep the newest N backups (never the newest one, never a pre-restore one). */
import { MAX_RETENTION, MIN_RETENTION, pruneBackups } from '@evidence-locker/core';
import { createOutput, EXIT_FAILURE, printJson, UsageError } from '../cli-output.ts';
import { integerOption, parseCommandArgs, requireOption, type Command } from '../command.ts';
import { openWorkDirs } from '../open-work-dirs.ts';

export const backupPruneCommand: Command = {
  name: 'backup prune',
  summary: 'Delete all but the newest N backups; pre-restore backups and the newest backup always stay.',
  usage: '--backup-dir DIR --keep N [--json]',
  async run(args) {
    const { values } = parseCommandArgs(args, { 'backup-dir': { type: 'string' }, keep: { type: 'string' } });
    const keep = integerOption(values.keep, 'keep', { min: MIN_RETENTION, max: MAX_RETENTION });
    if (keep === undefined) throw new UsageError('missing required option --keep');
    const backupDir = requireOption(values['backup-dir'], 'backup-dir');
    await openWorkDirs({ backupDir });
    const result = await pruneBackups(backupDir, keep);
    const code = result.failed.length > 0 ? EXIT_FAILURE : 0;
    if (values.json) {
      printJson({ ok: code === 0, ...result });
      return code;
    }
    const out = createOutput(false);
    out.line(result.deleted.length === 0 ? 'Nothing to delete.' : `Deleted ${result.deleted.length}:`);
    for (const name of result.deleted) out.line(`  ${name}`);
    out.line(`Kept ${result.kept.length}.`);
    for (const failure of result.failed) process.stderr.write(`error: could not delete ${failure.fileName}: ${failure.message}\n`);
    return code;
  },
};
