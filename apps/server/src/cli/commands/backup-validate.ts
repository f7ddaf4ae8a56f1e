/** `locker backup validate FILE`: check any archive in one streaming pass, without restoring it. */
import path from 'node:path';
import { validateArchiveFile } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { withProgressBar } from '../progress-bar.ts';
import { printArchiveSummary } from './archive-summary.ts';

export const backupValidateCommand: Command = {
  name: 'backup validate',
  summary: 'Check an archive (gzip, tar, member rules, meta, checksums) without restoring it.',
  usage: 'FILE [--json]',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {}, { positionals: 1 });
    const file = positionals[0];
    if (file === undefined) throw new UsageError('name the archive to validate');
    const validation = await withProgressBar(!values.json, (onProgress) => validateArchiveFile(path.resolve(file), { onProgress }));
    if (values.json) {
      printJson({ ok: true, ...validation });
      return 0;
    }
    const out = createOutput(false);
    out.line(`Valid backup: ${file}`);
    printArchiveSummary(out, validation);
    return 0;
  },
};
