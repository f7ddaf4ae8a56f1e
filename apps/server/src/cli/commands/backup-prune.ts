/**
 * `locker backup prune`: apply a retention rule to a backup directory (never the newest backup).
 * `--keep N` alone is DOCSight's rule (the newest N, manual backups counted, pre-restore ones
 * never deleted); with any of the age or include flags it is the full rule of the settings page (core's
 * decideRetention): a backup stays when any part keeps it, backups made by hand stay outside it
 * unless --include-manual, and the backup taken before a restore unless --include-pre-restore.
 *
 * A sealed backup's trigger is read with the identities of `--data-dir`'s settings. One whose
 * trigger still cannot be read (no --data-dir, a passphrase, a key the settings no longer hold)
 * may be a manual or pre-restore backup: under the full rule it is kept and named in the output;
 * under plain --keep N (DOCSight's rule, manual backups counted) it counts like the others.
 */
import { identitiesOf, MAX_RETENTION, MIN_RETENTION, pruneBackups, RETENTION_LIMITS, type RetentionRule } from '@evidence-locker/core';
import { createOutput, EXIT_FAILURE, printJson, UsageError } from '../cli-output.ts';
import { integerOption, parseCommandArgs, requireOption, type Command } from '../command.ts';
import { openWorkDirs } from '../open-work-dirs.ts';
import { readInstanceSealSettings } from '../seal-keys.ts';
import { describeRetention } from '../describe-retention.ts';

const AGE_FLAGS = [
  ['keep-days', 'keepDays'],
  ['keep-daily', 'daily'],
  ['keep-weekly', 'weekly'],
  ['keep-monthly', 'monthly'],
] as const;

export const backupPruneCommand: Command = {
  name: 'backup prune',
  summary: 'Delete the backups a retention rule does not keep; the newest backup always stays, pre-restore ones unless included.',
  usage:
    '--backup-dir DIR --keep N [--keep-days N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--include-manual] [--include-pre-restore] [--data-dir DIR] [--json]',
  notes: [
    '--keep N alone: the newest N backups, manual ones counted (DOCSight’s rule).',
    'With --keep-days (every backup younger than N days) or --keep-daily/--keep-weekly/--keep-monthly (the newest backup of',
    'each of the last N days, ISO weeks, months, in this machine’s time zone), a backup stays when any part keeps it, and',
    'backups made by hand stay outside the rule unless --include-manual, the backup taken before a restore unless',
    '--include-pre-restore (either flag alone also makes it the full rule). Backups made with backup create --scheduled count.',
    "--data-dir: read the trigger of sealed backups with the identities in that data directory's settings. Under the full rule, a",
    'sealed backup whose trigger cannot be read (without --data-dir: every one) is kept, since it may be a manual or pre-restore one.',
  ],
  async run(args) {
    const { values } = parseCommandArgs(args, {
      'backup-dir': { type: 'string' },
      'data-dir': { type: 'string' },
      keep: { type: 'string' },
      'keep-days': { type: 'string' },
      'keep-daily': { type: 'string' },
      'keep-weekly': { type: 'string' },
      'keep-monthly': { type: 'string' },
      'include-manual': { type: 'boolean', default: false },
      'include-pre-restore': { type: 'boolean', default: false },
    });
    const keep = integerOption(values.keep, 'keep', { min: MIN_RETENTION, max: MAX_RETENTION });
    if (keep === undefined) throw new UsageError('missing required option --keep');
    const backupDir = requireOption(values['backup-dir'], 'backup-dir');
    let rule: number | RetentionRule = keep;
    const ageGiven = AGE_FLAGS.some(([flag]) => values[flag] !== undefined);
    if (ageGiven || values['include-manual'] || values['include-pre-restore']) {
      const ruleParts: RetentionRule = {
        keepLast: keep,
        includeManual: values['include-manual'] === true,
        includePreRestore: values['include-pre-restore'] === true,
      };
      for (const [flag, part] of AGE_FLAGS) {
        const count = integerOption(values[flag], flag, { min: 1, max: RETENTION_LIMITS[part] });
        if (count !== undefined) ruleParts[part] = count;
      }
      rule = ruleParts;
    }
    const dataDir = values['data-dir'];
    await openWorkDirs({ backupDir, dataDir });
    const identities = dataDir === undefined ? undefined : identitiesOf(await readInstanceSealSettings(dataDir));
    // Plain --keep N counts every backup (DOCSight's rule); the full rule must not count a sealed one it cannot read.
    const result = await pruneBackups(backupDir, rule, { identities, keepUnreadSealed: typeof rule !== 'number' });
    const code = result.failed.length > 0 ? EXIT_FAILURE : 0;
    if (values.json) {
      printJson({ ok: code === 0, ...result });
      return code;
    }
    const out = createOutput(false);
    out.line(`Rule: ${describeRetention(typeof rule === 'number' ? { keepLast: rule, includeManual: true } : rule, 'backups')}.`);
    out.line(result.deleted.length === 0 ? 'Nothing to delete.' : `Deleted ${result.deleted.length}:`);
    for (const name of result.deleted) out.line(`  ${name}`);
    out.line(`Kept ${result.kept.length}.`);
    if (result.keptUnread.length > 0) {
      const why = dataDir === undefined ? 'give --data-dir to read them' : `the settings of ${dataDir} hold no identity that opens them`;
      out.line(
        `Kept ${result.keptUnread.length} sealed backup(s) whose trigger could not be read (${why}); they may be manual or pre-restore backups:`,
      );
      for (const name of result.keptUnread) out.line(`  ${name}`);
    }
    for (const failure of result.failed) process.stderr.write(`error: could not delete ${failure.fileName}: ${failure.message}\n`);
    return code;
  },
};
