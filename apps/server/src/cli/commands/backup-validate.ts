/** `locker backup validate FILE`: check any archive in one streaming pass, without restoring it. */
import path from 'node:path';
import { peekSealedWith, validateArchiveFile } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { withProgressBar } from '../progress-bar.ts';
import { OPEN_KEY_OPTIONS, openKeyForRead } from '../seal-keys.ts';
import { printArchiveSummary } from './archive-summary.ts';

export const backupValidateCommand: Command = {
  name: 'backup validate',
  summary: 'Check an archive (gzip, tar, member rules, meta, checksums) without restoring it.',
  usage: 'FILE [--identity FILE | --passphrase-file FILE | --data-dir DIR] [--json]',
  notes: [
    "A sealed FILE (….tar.gz.age) opens with --identity (a recovery kit or age-keygen's file; - reads stdin),",
    '--passphrase-file (its first line), or the keys in the settings of the data directory --data-dir names.',
  ],
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { ...OPEN_KEY_OPTIONS, 'data-dir': { type: 'string' } }, { positionals: 1 });
    const file = positionals[0];
    if (file === undefined) throw new UsageError('name the archive to validate');
    const archive = path.resolve(file);
    const dataDir = values['data-dir'] === undefined ? undefined : path.resolve(values['data-dir']);
    const key = await openKeyForRead(values, archive, dataDir);
    const validation = await withProgressBar(!values.json, (onProgress) => validateArchiveFile(archive, { onProgress, seal: { key } }));
    const sealedWith = await peekSealedWith(archive);
    if (values.json) {
      printJson({ ok: true, sealed: sealedWith !== null, ...validation });
      return 0;
    }
    const out = createOutput(false);
    out.line(`Valid backup: ${file}`);
    printArchiveSummary(out, validation, sealedWith);
    return 0;
  },
};
