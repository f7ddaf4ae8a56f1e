/**
 * `locker backup create`: a backup of a data directory, into a backup directory or to a file.
 * Sealed with age (`….tar.gz.age`) for `--recipient`/`--passphrase-file`, and whenever the data
 * directory's settings seal backups (`--encrypt` insists on it; `--plain` opts out).
 */
import type { WriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { createBackup, identitiesOf, isLockerError, sealExpectationOf, type ChunkReuseReport } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { withWorkDirsHeld } from '../open-work-dirs.ts';
import { formatBytes, withProgressBar } from '../progress-bar.ts';
import { readInstanceSealSettings, SEAL_KEY_OPTIONS, sealKeyForCreate } from '../seal-keys.ts';
import { readInstanceTargets } from '../instance-targets.ts';
import { pushToTargets, type PushOutcome } from '../target-push.ts';
import { reportOutcomes } from './backup-push.ts';

/**
 * Exit code of `backup create` when the backup was written but an offsite target failed: not 0,
 * so a cron job notices, and not 1, which means no backup was made.
 */
export const EXIT_TARGET_FAILED = 3;

/**
 * The --output file, created here (never over an existing file: that is a usage error before any
 * work), and a way to remove it when the backup fails, so a refused key or a missing data directory
 * leaves no empty or partial archive behind.
 */
async function openOutputFile(file: string): Promise<{ stream: WriteStream; remove: () => Promise<void> }> {
  const handle = await open(file, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw new UsageError(`${file} exists; --output never writes over a file`);
    throw error;
  });
  const stream = handle.createWriteStream();
  return {
    stream,
    async remove() {
      stream.destroy();
      await rm(file, { force: true });
    },
  };
}

/** What the backup compressed, and what it took over from the newest backup before it. */
function reuseLine(reuse: ChunkReuseReport): string {
  const members = reuse.membersReused + reuse.membersCompressed;
  if (reuse.fullReason !== null || reuse.previous === null) {
    return `all ${members} chunks${reuse.detail ? ` (${reuse.detail.replace(/\.$/, '')})` : ''}`;
  }
  return `${reuse.membersCompressed} of ${members} chunks; ${reuse.membersReused} (${formatBytes(reuse.bytesReused)}) taken over unchanged from ${reuse.previous}`;
}

export const backupCreateCommand: Command = {
  name: 'backup create',
  summary: 'Create a backup of a data directory in the backup directory (or write it to --output).',
  usage:
    '--data-dir DIR (--backup-dir DIR | --output FILE) [--scheduled] [--encrypt] [--recipient age1…]… [--passphrase-file FILE] [--plain] [--no-push] [--no-reuse] [--json]',
  notes: [
    'The backup is recorded as made by hand (trigger "manual"), which a retention rule keeps and does not count unless it includes',
    'manual backups. --scheduled records it as the server\'s schedule does (trigger "scheduled"), so a cron job of backup create',
    "falls under the rule of backup prune and of the offsite targets like the built-in schedule's backups.",
    'Sealed with age (….tar.gz.age) for --recipient (repeatable) or --passphrase-file (its first line), and',
    "whenever the data directory's settings seal backups: that is its backup policy, --plain opts out.",
    '--encrypt insists on sealing and fails when neither the settings nor the command line give a key.',
    'With --backup-dir the new backup is then sent to every enabled offsite target of the data directory (locker target add);',
    '--no-push skips that. A target that fails never touches the local backup: a warning per target, and exit code 3.',
    'With --backup-dir, the chunks of the databases that the newest backup there already holds are taken over from it',
    'instead of compressed again (the same archive, for the cost of what changed); --no-reuse compresses everything.',
  ],
  async run(args) {
    const { values } = parseCommandArgs(args, {
      'data-dir': { type: 'string' },
      'backup-dir': { type: 'string' },
      output: { type: 'string' },
      'no-push': { type: 'boolean', default: false },
      'no-reuse': { type: 'boolean', default: false },
      scheduled: { type: 'boolean', default: false },
      ...SEAL_KEY_OPTIONS,
    });
    const dataDir = path.resolve(requireOption(values['data-dir'], 'data-dir'));
    const backupDir = values['backup-dir'];
    const output = values.output;
    if ((backupDir === undefined) === (output === undefined)) {
      throw new UsageError('give exactly one of --backup-dir DIR or --output FILE');
    }
    const seal = await sealKeyForCreate(values, dataDir);
    // A file's name says what it is, and every reader holds it to that (ARCHIVE_SEALED, SEAL_NOT_SEALED).
    if (output !== undefined && seal !== null && sealExpectationOf(output) === 'plain') {
      throw new UsageError(
        `this backup is sealed${seal.source === 'settings' ? " (the data directory's settings seal backups)" : ''}: name the --output file ….tar.gz.age${seal.source === 'settings' ? ', or pass --plain' : ''}`,
      );
    }
    if (output !== undefined && seal === null && sealExpectationOf(output) === 'sealed') {
      throw new UsageError(
        'this backup is not sealed: name the --output file ….tar.gz, or seal it with --encrypt, --recipient or --passphrase-file',
      );
    }
    const { result, seconds, pushed } = await withWorkDirsHeld({ dataDir, backupDir }, async () => {
      const created = await withProgressBar(!values.json, async (onProgress) => {
        const started = performance.now();
        const outputFile = output === undefined ? undefined : await openOutputFile(path.resolve(output));
        try {
          const result = await createBackup({
            dataDir,
            destination:
              outputFile === undefined
                ? { kind: 'directory', backupDir: path.resolve(backupDir!) }
                : { kind: 'stream', stream: outputFile.stream },
            trigger: values.scheduled ? 'scheduled' : 'manual',
            seal: seal?.key,
            onProgress,
            // A sealed previous backup opens with the data directory's identities (none: a full backup).
            reuse: values['no-reuse'] ? false : { identities: await readInstanceSealSettings(dataDir).then(identitiesOf, () => []) },
          });
          return { result, seconds: (performance.now() - started) / 1000 };
        } catch (error) {
          await outputFile?.remove();
          throw error;
        }
      });
      // The local copy is published; only now does it go offsite, and nothing there can undo it.
      let pushed: PushOutcome[] = [];
      if (backupDir !== undefined && !values['no-push'] && created.result.path !== undefined) {
        try {
          const targets = (await readInstanceTargets(dataDir)).targets.filter((target) => target.enabled);
          if (targets.length > 0) {
            const settings = await readInstanceSealSettings(dataDir);
            pushed = await withProgressBar(!values.json, (onProgress) =>
              pushToTargets(dataDir, path.resolve(backupDir), created.result.fileName, targets, settings, onProgress),
            );
          }
        } catch (error) {
          // The targets could not even be read (a damaged .config_key): still never the backup's failure.
          const code = isLockerError(error) ? error.code : 'TARGET_FAILED';
          const message = `the offsite targets could not be read: ${error instanceof Error ? error.message : String(error)}`;
          pushed = [{ target: '(all)', location: '', ok: false, code, message }];
        }
      }
      return { ...created, pushed };
    });
    const exitCode = pushed.some((outcome) => !outcome.ok) ? EXIT_TARGET_FAILED : 0;
    const file = result.path ?? path.resolve(output!);
    if (values.json) {
      printJson({
        ok: true,
        fileName: result.fileName,
        path: file,
        size: result.size,
        sealed: result.sealed,
        seconds,
        meta: result.meta,
        demoRowsRemoved: result.demoRowsRemoved,
        reuse: result.reuse,
        targets: pushed,
      });
      return exitCode;
    }
    const out = createOutput(false);
    out.line(`Backup written: ${file}`);
    out.table([
      ['Size', formatBytes(result.size)],
      [
        'Sealed',
        !result.sealed
          ? 'no'
          : `yes, with age (${seal !== null && 'passphrase' in seal.key ? 'opens with the passphrase' : 'opens with the identity of the recipient'}${seal?.source === 'settings' ? "; the data directory's settings seal backups" : ''})`,
      ],
      ['Took', `${seconds.toFixed(1)} s`],
      [
        'Made',
        values.scheduled
          ? 'as a scheduled backup (--scheduled): retention counts it'
          : 'by hand: retention keeps it unless it includes manual backups',
      ],
      ['Members', Object.keys(result.meta.members).join(', ')],
      ['Compressed', reuseLine(result.reuse)],
      ...(result.demoRowsRemoved > 0 ? ([['Demo rows left out', String(result.demoRowsRemoved)]] as const) : []),
    ]);
    reportOutcomes(out, pushed);
    return exitCode;
  },
};
