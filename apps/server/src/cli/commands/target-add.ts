/**
 * `locker target add NAME URL`: an offsite target for a data directory's backups. The connection is
 * tested (write, read back and delete a probe file) before anything is saved; the target goes into
 * the data directory's config.json with its secrets Fernet-encrypted with `.config_key`, as the
 * settings page saves it. Copies are sealed with the instance's key unless `--recipient` or
 * `--plain` says otherwise.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { LockerError, formatTargetUrl, newTarget, probeTarget, publicTarget, RETENTION_LIMITS, sealKeyOf } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { describeRetention } from '../describe-retention.ts';
import { integerOption, parseCommandArgs, requireOption, type Command } from '../command.ts';
import { changeInstanceTargets, readInstanceTargets } from '../instance-targets.ts';
import { readInstanceSealSettings } from '../seal-keys.ts';
import {
  TARGET_CREDENTIAL_OPTIONS,
  TARGET_CREDENTIALS_NOTES,
  TARGET_CREDENTIALS_USAGE,
  connectionFromFlags,
  presentedHostKey,
  withTarget,
} from '../target-flags.ts';

/** Fails with DIRECTORY_NOT_FOUND unless `dataDir` is a directory. */
export async function requireDataDir(dataDir: string): Promise<void> {
  const found = await stat(dataDir).catch(() => null);
  if (found === null || !found.isDirectory()) {
    throw new LockerError('DIRECTORY_NOT_FOUND', `The data directory ${dataDir} does not exist.`, { details: { path: dataDir } });
  }
}

/** Words for how a target's copies are sealed. */
export function describeTargetSeal(target: { sealed: boolean; recipient?: string | undefined }): string {
  if (!target.sealed) return 'no (plain copies)';
  return target.recipient === undefined ? "yes, with the instance's key" : `yes, for ${target.recipient}`;
}

function refuseNameClash(targets: readonly { name: string }[], name: string, dataDir: string): void {
  const clash = targets.find((other) => other.name.toLocaleLowerCase('en') === name.toLocaleLowerCase('en'));
  if (clash !== undefined) {
    throw new UsageError(`${dataDir} already has a target named "${clash.name}": choose another name, or remove it first`);
  }
}

export const targetAddCommand: Command = {
  name: 'target add',
  summary: "Add an offsite target to a data directory's settings, after testing the connection.",
  usage: `NAME URL --data-dir DIR ${TARGET_CREDENTIALS_USAGE} [--recipient age1… | --plain] [--keep-last N] [--keep-days N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--include-manual] [--include-pre-restore] [--json]`,
  notes: [
    ...TARGET_CREDENTIALS_NOTES,
    "Copies are sealed with the instance's key (its settings must seal backups), or for --recipient; --plain sends them as they are.",
    '--keep-last/--keep-days/--keep-daily/--keep-weekly/--keep-monthly: the retention on that target, a copy kept when any keeps it (daily/weekly/monthly: the newest copy of each of the last N days, ISO weeks, months that have one; only copies this instance sent; never its newest); default keep all.',
    '--include-manual: copies of backups made by hand (Backup now, a download, backup create without --scheduled) fall under that rule too; without it they stay.',
    '--include-pre-restore: copies of the backup taken before a restore fall under that rule too; without it they stay.',
  ],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        'data-dir': { type: 'string' },
        recipient: { type: 'string' },
        plain: { type: 'boolean', default: false },
        'keep-last': { type: 'string' },
        'keep-days': { type: 'string' },
        'keep-daily': { type: 'string' },
        'keep-weekly': { type: 'string' },
        'keep-monthly': { type: 'string' },
        'include-manual': { type: 'boolean', default: false },
        'include-pre-restore': { type: 'boolean', default: false },
        ...TARGET_CREDENTIAL_OPTIONS,
      },
      { positionals: 2 },
    );
    const [name, url] = positionals;
    if (name === undefined || url === undefined) throw new UsageError('give the target a NAME and its URL: locker target add NAME URL …');
    const dataDir = path.resolve(requireOption(values['data-dir'], 'data-dir'));
    if (values.plain && values.recipient !== undefined) throw new UsageError('give --recipient or --plain, not both');
    const keepLast = integerOption(values['keep-last'], 'keep-last', { min: 1, max: RETENTION_LIMITS.keepLast });
    const keepDays = integerOption(values['keep-days'], 'keep-days', { min: 1, max: RETENTION_LIMITS.keepDays });
    const generations = {
      daily: integerOption(values['keep-daily'], 'keep-daily', { min: 1, max: RETENTION_LIMITS.daily }),
      weekly: integerOption(values['keep-weekly'], 'keep-weekly', { min: 1, max: RETENTION_LIMITS.weekly }),
      monthly: integerOption(values['keep-monthly'], 'keep-monthly', { min: 1, max: RETENTION_LIMITS.monthly }),
    };
    await requireDataDir(dataDir);
    const connection = await connectionFromFlags(url, values);
    const existing = await readInstanceTargets(dataDir);
    if (!values.plain && values.recipient === undefined && sealKeyOf(await readInstanceSealSettings(dataDir)) === undefined) {
      throw new UsageError(
        `copies to a target are sealed by default, and the settings of ${dataDir} hold no seal key: pass --recipient age1… (a key that opens them is yours to keep) or --plain`,
      );
    }
    // Checked before the connection test: a bad name or retention needs no round trip.
    const target = newTarget(connection, {
      name,
      sealed: !values.plain,
      recipient: values.recipient,
      retention: {
        ...Object.fromEntries(Object.entries({ keepLast, keepDays, ...generations }).filter(([, count]) => count !== undefined)),
        ...(values['include-manual'] ? { includeManual: true } : {}),
        ...(values['include-pre-restore'] ? { includePreRestore: true } : {}),
      },
    });
    refuseNameClash(existing.targets, name, dataDir);
    const probe = await withTarget(connection, { acceptHostKey: values['accept-host-key'] }, async (remote) => {
      const result = await probeTarget(remote);
      const presented = presentedHostKey(remote);
      if (target.kind === 'sftp' && presented !== null) target.hostKeyFingerprint = presented;
      return result;
    });
    // Added to the list as it is now (the server or another command may have saved one meanwhile).
    await changeInstanceTargets(dataDir, (current) => {
      refuseNameClash(current.targets, name, dataDir);
      return { targets: [...current.targets, target], answer: undefined };
    });
    const shown = publicTarget(target);
    if (values.json) {
      printJson({ ok: true, target: { ...shown, location: formatTargetUrl(connection) }, test: probe });
      return 0;
    }
    const out = createOutput(false);
    out.line(`Added target "${target.name}" to ${dataDir}`);
    out.table([
      ['Location', formatTargetUrl(connection)],
      ['Test', `wrote, read back and deleted a probe file in ${probe.elapsedMs} ms; it holds ${probe.entries} file(s)`],
      ['Sealed', describeTargetSeal(target)],
      ['Retention', describeRetention(target.retention)],
      ...(target.kind === 'sftp' && target.hostKeyFingerprint !== undefined
        ? ([['Host key', `${target.hostKeyFingerprint} (pinned)`]] as const)
        : []),
    ]);
    out.line('Every backup locker backup create makes of this data directory is now sent there too (--no-push skips it).');
    return 0;
  },
};
