/** `locker backup create`: a backup of a data directory, into a backup directory or to a file. */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { createBackup } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { withWorkDirsHeld } from '../open-work-dirs.ts';
import { formatBytes, withProgressBar } from '../progress-bar.ts';

export const backupCreateCommand: Command = {
  name: 'backup create',
  summary: 'Create a backup of a data directory in the backup directory (or write it to --output).',
  usage: '--data-dir DIR (--backup-dir DIR | --output FILE) [--json]',
  async run(args) {
    const { values } = parseCommandArgs(args, {
      'data-dir': { type: 'string' },
      'backup-dir': { type: 'string' },
      output: { type: 'string' },
    });
    const dataDir = path.resolve(requireOption(values['data-dir'], 'data-dir'));
    const backupDir = values['backup-dir'];
    const output = values.output;
    if ((backupDir === undefined) === (output === undefined)) {
      throw new UsageError('give exactly one of --backup-dir DIR or --output FILE');
    }
    const { result, seconds } = await withWorkDirsHeld({ dataDir, backupDir }, () =>
      withProgressBar(!values.json, async (onProgress) => {
        const started = performance.now();
        const result = await createBackup({
          dataDir,
          destination:
            backupDir !== undefined
              ? { kind: 'directory', backupDir: path.resolve(backupDir) }
              : { kind: 'stream', stream: createWriteStream(path.resolve(output!), { flags: 'wx', mode: 0o600 }) },
          trigger: 'manual',
          onProgress,
        });
        return { result, seconds: (performance.now() - started) / 1000 };
      }),
    );
    const file = result.path ?? path.resolve(output!);
    if (values.json) {
      printJson({
        ok: true,
        fileName: result.fileName,
        path: file,
        size: result.size,
        seconds,
        meta: result.meta,
        demoRowsRemoved: result.demoRowsRemoved,
      });
      return 0;
    }
    const out = createOutput(false);
    out.line(`Backup written: ${file}`);
    out.table([
      ['Size', formatBytes(result.size)],
      ['Took', `${seconds.toFixed(1)} s`],
      ['Members', Object.keys(result.meta.members).join(', ')],
      ...(result.demoRowsRemoved > 0 ? ([['Demo rows left out', String(result.demoRowsRemoved)]] as const) : []),
    ]);
    return 0;
  },
};
