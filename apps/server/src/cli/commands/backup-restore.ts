/**
 * `locker backup restore FILE`: restore an archive into a data directory. The archive is checked
 * in full before anything changes; what the data directory held is first saved as a `pre-restore`
 * backup in the backup directory. Do not run it against a data directory a running server uses:
 * restore through the server instead, which pauses its work first.
 *
 * A sealed archive (`….tar.gz.age`) opens with `--identity FILE` or `--passphrase-file FILE`, else
 * with the keys the data directory's settings hold; the pre-restore backup is sealed as its settings
 * seal backups.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isSealedBackupFileName, openKeyOf, peekSealedWith, restoreDataDir, sealExpectationOf, type OpenKey } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { withWorkDirsHeld } from '../open-work-dirs.ts';
import { withProgressBar } from '../progress-bar.ts';
import {
  describeSeal,
  OPEN_KEY_OPTIONS,
  openKeyForRead,
  preRestoreSealOf,
  readIdentityFile,
  readInstanceSealSettings,
  readPassphraseFile,
} from '../seal-keys.ts';
import { TARGET_CREDENTIAL_OPTIONS, TARGET_CREDENTIALS_USAGE, connectionFromFlags, presentedHostKey, withTarget } from '../target-flags.ts';
import { keepRestoredTarget } from '../keep-restored-target.ts';

export const backupRestoreCommand: Command = {
  name: 'backup restore',
  summary: 'Restore an archive into a data directory (a pre-restore backup of it is written first).',
  usage: `(FILE | --from URL NAME ${TARGET_CREDENTIALS_USAGE}) --data-dir DIR --backup-dir DIR [--identity FILE | --passphrase-file FILE] [--json]`,
  notes: [
    '--from URL NAME restores the backup NAME straight from an offsite target (locker target backups URL lists them),',
    'streamed into the restore (no copy saved first); the credential flags are those of locker target add. The target is',
    "then added to the restored data directory's settings (when it is not there yet), so new backups keep going there.",
    "A sealed FILE (….tar.gz.age) opens with --identity (a recovery kit or age-keygen's file; - reads stdin) or",
    "--passphrase-file (its first line), else with the keys in the data directory's settings.",
  ],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        'data-dir': { type: 'string' },
        'backup-dir': { type: 'string' },
        from: { type: 'string' },
        ...OPEN_KEY_OPTIONS,
        ...TARGET_CREDENTIAL_OPTIONS,
      },
      { positionals: 1 },
    );
    const file = positionals[0];
    if (file === undefined)
      throw new UsageError(values.from === undefined ? 'name the archive to restore' : 'name the backup to restore from the target');
    const dataDir = path.resolve(requireOption(values['data-dir'], 'data-dir'));
    const backupDir = path.resolve(requireOption(values['backup-dir'], 'backup-dir'));
    if (values.from !== undefined) return restoreFromTarget(values.from, file, values, dataDir, backupDir);
    const credential = (Object.keys(TARGET_CREDENTIAL_OPTIONS) as (keyof typeof TARGET_CREDENTIAL_OPTIONS)[]).find(
      (flag) => values[flag] !== undefined && values[flag] !== false,
    );
    if (credential !== undefined) throw new UsageError(`--${credential} goes with --from URL`);
    const archive = path.resolve(file);
    const { size } = await stat(archive);
    const sealedWith = await peekSealedWith(archive);
    const result = await withWorkDirsHeld({ dataDir, backupDir }, async () => {
      // The settings are read once the data directory is open: an interrupted restore is finished first.
      const key = await openKeyForRead(values, archive, dataDir);
      const preRestoreSeal = preRestoreSealOf(await readInstanceSealSettings(dataDir));
      return withProgressBar(!values.json, (onProgress) =>
        restoreDataDir({
          source: createReadStream(archive),
          archivePath: archive,
          dataDir,
          backupDir,
          bytesTotal: size,
          onProgress,
          seal: { key, expect: sealExpectationOf(archive) },
          preRestoreSeal,
        }),
      );
    });
    if (values.json) {
      printJson({ ok: true, sealed: sealedWith !== null, ...result });
      return 0;
    }
    const out = createOutput(false);
    out.line(`Restored ${file} into ${dataDir}`);
    out.table([
      ['Sealed', describeSeal(sealedWith)],
      ['Restored', result.restoredFiles.join(', ')],
      ['Removed', result.removedFiles.length > 0 ? `${result.removedFiles.join(', ')} (not in the archive)` : 'nothing'],
      ['Pre-restore backup', result.preRestoreBackup ? result.preRestoreBackup.fileName : 'none (the data directory was empty)'],
      ['Configured', result.configured ? 'yes' : 'no'],
      ['Sessions', 'all logged out (new session key)'],
    ]);
    for (const warning of result.warnings) out.line(`warning: ${warning.message}`);
    return 0;
  },
};

type RestoreFlags = Parameters<typeof connectionFromFlags>[1] & {
  identity?: string | undefined;
  'passphrase-file'?: string | undefined;
  json: boolean;
};

/** The key that opens a copy named `name` on a target: the flags', else the data directory's settings'. */
async function openKeyForRemote(flags: RestoreFlags, name: string, dataDir: string): Promise<OpenKey | undefined> {
  if (flags.identity !== undefined && flags['passphrase-file'] !== undefined)
    throw new UsageError('give --identity or --passphrase-file, not both');
  if (flags.identity !== undefined) return { identities: await readIdentityFile(flags.identity) };
  if (flags['passphrase-file'] !== undefined) return { passphrase: await readPassphraseFile(flags['passphrase-file']) };
  if (!isSealedBackupFileName(name)) return undefined;
  // How it is sealed is only known once its header is read: the settings' identities, else their passphrase.
  const settings = await readInstanceSealSettings(dataDir);
  return openKeyOf(settings, 'identity') ?? openKeyOf(settings, 'passphrase');
}

/** `backup restore --from URL NAME`: the copy streamed from the target into the restore. */
async function restoreFromTarget(url: string, name: string, flags: RestoreFlags, dataDir: string, backupDir: string): Promise<number> {
  const connection = await connectionFromFlags(url, flags);
  const { result, hostKey } = await withWorkDirsHeld({ dataDir, backupDir }, async () => {
    const key = await openKeyForRemote(flags, name, dataDir);
    const preRestoreSeal = preRestoreSealOf(await readInstanceSealSettings(dataDir));
    return withTarget(connection, { acceptHostKey: flags['accept-host-key'] }, async (remote) => {
      const { stream, size } = await remote.download(name);
      const restored = await withProgressBar(!flags.json, (onProgress) =>
        restoreDataDir({
          source: stream,
          dataDir,
          backupDir,
          bytesTotal: size,
          onProgress,
          seal: { key, expect: sealExpectationOf(name) },
          preRestoreSeal,
        }),
      );
      return { result: restored, hostKey: presentedHostKey(remote) };
    });
  });
  const kept = await keepRestoredTarget(dataDir, { ...connection, ...(hostKey === null ? {} : { hostKeyFingerprint: hostKey }) }, name);
  const sealed = isSealedBackupFileName(name);
  if (flags.json) {
    printJson({ ok: true, from: url, name, sealed, ...result, target: kept });
    return 0;
  }
  const out = createOutput(false);
  out.line(`Restored ${name} from ${url} into ${dataDir}`);
  out.table([
    ['Sealed', sealed ? 'yes' : 'no'],
    ['Restored', result.restoredFiles.join(', ')],
    ['Removed', result.removedFiles.length > 0 ? `${result.removedFiles.join(', ')} (not in the archive)` : 'nothing'],
    ['Pre-restore backup', result.preRestoreBackup ? result.preRestoreBackup.fileName : 'none (the data directory was empty)'],
    ['Configured', result.configured ? 'yes' : 'no'],
    ['Sessions', 'all logged out (new session key)'],
    ['Offsite target', kept.message],
  ]);
  for (const warning of result.warnings) out.line(`warning: ${warning.message}`);
  return 0;
}
