/**
 * `locker target backups URL`: the backups a target holds, newest first, on a machine where nothing
 * is configured: the first step of a disaster recovery (then `locker backup restore --from URL NAME`).
 */
import {
  TARGET_TEMP_PREFIX,
  formatTargetUrl,
  compareBackupsNewestFirst,
  isBackupFileName,
  isSealedBackupFileName,
  parseBackupFileTime,
  type TargetEntry,
} from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { formatBytes } from '../progress-bar.ts';
import {
  TARGET_CREDENTIAL_OPTIONS,
  TARGET_CREDENTIALS_NOTES,
  TARGET_CREDENTIALS_USAGE,
  connectionFromFlags,
  withTarget,
} from '../target-flags.ts';

/** When a copy was made: the time in its name, else the target's modification time. */
function copyTime(entry: TargetEntry): number {
  return parseBackupFileTime(entry.name)?.getTime() ?? (entry.modified === null ? 0 : Date.parse(entry.modified));
}

/** The backups among `entries`, newest first. */
export function backupsOn(entries: readonly TargetEntry[]): TargetEntry[] {
  return entries
    .filter((entry) => isBackupFileName(entry.name) && !entry.name.startsWith(TARGET_TEMP_PREFIX))
    .sort((a, b) =>
      compareBackupsNewestFirst({ name: a.name, madeAt: new Date(copyTime(a)) }, { name: b.name, madeAt: new Date(copyTime(b)) }),
    );
}

export const targetBackupsCommand: Command = {
  name: 'target backups',
  summary: 'List the backups a target holds, newest first (needs no data directory: for a new machine).',
  usage: `URL ${TARGET_CREDENTIALS_USAGE} [--json]`,
  notes: TARGET_CREDENTIALS_NOTES,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, TARGET_CREDENTIAL_OPTIONS, { positionals: 1 });
    const url = positionals[0];
    if (url === undefined) throw new UsageError('give the URL of the target');
    const connection = await connectionFromFlags(url, values);
    const entries = await withTarget(connection, { acceptHostKey: values['accept-host-key'] }, async (remote) =>
      backupsOn(await remote.list()),
    );
    const backups = entries.map((entry) => ({ ...entry, sealed: isSealedBackupFileName(entry.name) }));
    if (values.json) {
      printJson({ ok: true, location: formatTargetUrl(connection), backups });
      return 0;
    }
    const out = createOutput(false);
    if (backups.length === 0) {
      out.line(`No backups at ${formatTargetUrl(connection)}.`);
      return 0;
    }
    out.table(
      backups.map((backup) => [
        backup.name,
        `${formatBytes(backup.size).padStart(9)}  ${backup.modified ?? '-'}  ${backup.sealed ? 'sealed' : 'plain'}`,
      ]),
      0,
    );
    return 0;
  },
};
