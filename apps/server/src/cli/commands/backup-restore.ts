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
import { peekSealedWith, restoreDataDir, sealExpectationOf } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { withWorkDirsHeld } from '../open-work-dirs.ts';
import { withProgressBar } from '../progress-bar.ts';
import { describeSeal, OPEN_KEY_OPTIONS, openKeyForRead, preRestoreSealOf, readInstanceSealSettings } from '../seal-keys.ts';

export const backupRestoreCommand: Command = {
  name: 'backup restore',
  summary: 'Restore an archive into a data directory (a pre-restore backup of it is written first).',
  usage: 'FILE --data-dir DIR --backup-dir DIR [--identity FILE | --passphrase-file FILE] [--json]',
  notes: [
    "A sealed FILE (….tar.gz.age) opens with --identity (a recovery kit or age-keygen's file; - reads stdin) or",
    "--passphrase-file (its first line), else with the keys in the data directory's settings.",
  ],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      { 'data-dir': { type: 'string' }, 'backup-dir': { type: 'string' }, ...OPEN_KEY_OPTIONS },
      { positionals: 1 },
    );
    const file = positionals[0];
    if (file === undefined) throw new UsageError('name the archive to restore');
    const dataDir = path.resolve(requireOption(values['data-dir'], 'data-dir'));
    const backupDir = path.resolve(requireOption(values['backup-dir'], 'backup-dir'));
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
