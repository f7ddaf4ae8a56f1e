/**
 * `locker backup prune`: apply a retention rule to a backup directory (never the newest backup,
 * never a pre-restore one). `--keep N` alone is DOCSight's rule (the newest N, manual backups
 * counted); with any of the age flags it is the full rule of the settings page (core's
 * decideRetention): a backup stays when any part keeps it, and backups made by hand stay outside
 * it unless --include-manual.
 */
import { MAX_RETENTION, MIN_RETENTION, pruneBackups, RETENTION_LIMITS, type RetentionRule } from '@evidence-locker/core';
import { createOutput, EXIT_FAILURE, printJson, UsageError } from '../cli-output.ts';
import { integerOption, parseCommandArgs, requireOption, type Command } from '../command.ts';
import { openWorkDirs } from '../open-work-dirs.ts';

const AGE_FLAGS = [
  ['keep-days', 'keepDays'],
  ['keep-daily', 'daily'],
  ['keep-weekly', 'weekly'],
  ['keep-monthly', 'monthly'],
] as const;

export const backupPruneCommand: Command = {
  name: 'backup prune',
  summary: 'Delete the backups a retention rule does not keep; pre-restore backups and the newest backup always stay.',
  usage: '--backup-dir DIR --keep N [--keep-days N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--include-manual] [--json]',
  notes: [
    '--keep N alone: the newest N backups, manual ones counted (DOCSight’s rule).',
    'With --keep-days (every backup younger than N days) or --keep-daily/--keep-weekly/--keep-monthly (the newest backup of',
    'each of the last N days, ISO weeks, months, in this machine’s time zone), a backup stays when any part keeps it, and',
    'backups made by hand stay outside the rule unless --include-manual.',
  ],
  async run(args) {
    const { values } = parseCommandArgs(args, {
      'backup-dir': { type: 'string' },
      keep: { type: 'string' },
      'keep-days': { type: 'string' },
      'keep-daily': { type: 'string' },
      'keep-weekly': { type: 'string' },
      'keep-monthly': { type: 'string' },
      'include-manual': { type: 'boolean', default: false },
    });
    const keep = integerOption(values.keep, 'keep', { min: MIN_RETENTION, max: MAX_RETENTION });
    if (keep === undefined) throw new UsageError('missing required option --keep');
    const backupDir = requireOption(values['backup-dir'], 'backup-dir');
    let rule: number | RetentionRule = keep;
    const ageGiven = AGE_FLAGS.some(([flag]) => values[flag] !== undefined);
    if (ageGiven || values['include-manual']) {
      const ruleParts: RetentionRule = { keepLast: keep, includeManual: values['include-manual'] === true };
      for (const [flag, part] of AGE_FLAGS) {
        const count = integerOption(values[flag], flag, { min: 1, max: RETENTION_LIMITS[part] });
        if (count !== undefined) ruleParts[part] = count;
      }
      rule = ruleParts;
    }
    await openWorkDirs({ backupDir });
    const result = await pruneBackups(backupDir, rule);
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
