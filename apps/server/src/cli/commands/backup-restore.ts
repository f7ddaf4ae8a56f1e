/**
 * `locker backup restore FILE`: restore an archive into a data directory. The archive is checked
 * in full before anything changes; what the data directory held is first saved as a `pre-restore`
 * backup in the backup directory. Do not run it against a data directory a running server uses:
 * restore through the server instead, which pauses its work first.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { restoreDataDir } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { withWorkDirsHeld } from '../open-work-dirs.ts';
import { withProgressBar } from '../progress-bar.ts';

export const backupRestoreCommand: Command = {
  name: 'backup restore',
  summary: 'Restore an archive into a data directory (a pre-restore backup of it is written first).',
  usage: 'FILE --data-dir DIR --backup-dir DIR [--json]',
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      { 'data-dir': { type: 'string' }, 'backup-dir': { type: 'string' } },
      { positionals: 1 },
    );
    const file = positionals[0];
    if (file === undefined) throw new UsageError('name the archive to restore');
    const dataDir = path.resolve(requireOption(values['data-dir'], 'data-dir'));
    const backupDir = path.resolve(requireOption(values['backup-dir'], 'backup-dir'));
    const archive = path.resolve(file);
    const { size } = await stat(archive);
    const result = await withWorkDirsHeld({ dataDir, backupDir }, () =>
      withProgressBar(!values.json, (onProgress) =>
        restoreDataDir({ source: createReadStream(archive), archivePath: archive, dataDir, backupDir, bytesTotal: size, onProgress }),
      ),
    );
    if (values.json) {
      printJson({ ok: true, ...result });
      return 0;
    }
    const out = createOutput(false);
    out.line(`Restored ${file} into ${dataDir}`);
    out.table([
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
