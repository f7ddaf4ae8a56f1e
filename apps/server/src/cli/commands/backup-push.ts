/**
 * `locker backup push NAME`: sends one stored backup to the data directory's enabled targets (or
 * the one `--target` names), as `backup create` does after each new backup. Exits 1 when a target
 * failed; the failure is recorded in the target's state (`locker target list`).
 */
import path from 'node:path';
import { createOutput, EXIT_FAILURE, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { findTarget, readInstanceTargets } from '../instance-targets.ts';
import { withWorkDirsHeld } from '../open-work-dirs.ts';
import { withProgressBar } from '../progress-bar.ts';
import { readInstanceSealSettings } from '../seal-keys.ts';
import { pushToTargets, type PushOutcome } from '../target-push.ts';
import { requireDataDir } from './target-add.ts';
import { formatBytes } from '../progress-bar.ts';
import type { CommandOutput } from '../cli-output.ts';

/** One line per target for humans: what arrived, or the failure (as a warning on stderr). */
export function reportOutcomes(out: CommandOutput, outcomes: readonly PushOutcome[]): void {
  for (const outcome of outcomes) {
    if (outcome.ok) {
      const how = outcome.alreadyThere ? 'was already there' : `sent in ${outcome.seconds.toFixed(1)} s`;
      out.line(
        `Offsite "${outcome.target}": ${outcome.remoteName} (${formatBytes(outcome.size)}, ${outcome.sealed ? 'sealed' : 'plain'}) ${how}`,
      );
      if (outcome.pruned.length > 0) out.line(`  removed old copies there: ${outcome.pruned.join(', ')}`);
      if (outcome.warning !== null) process.stderr.write(`warning: offsite "${outcome.target}": ${outcome.warning}\n`);
    } else {
      process.stderr.write(`warning: offsite "${outcome.target}" failed (${outcome.code}): ${outcome.message}\n`);
    }
  }
}

export const backupPushCommand: Command = {
  name: 'backup push',
  summary: "Send a stored backup to the data directory's enabled offsite targets (or one --target).",
  usage: 'NAME --data-dir DIR --backup-dir DIR [--target NAME] [--json]',
  notes: ['Exit code 1 when a target failed (each failure is printed and recorded: locker target list).'],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      { 'data-dir': { type: 'string' }, 'backup-dir': { type: 'string' }, target: { type: 'string' } },
      { positionals: 1 },
    );
    const fileName = positionals[0];
    if (fileName === undefined) throw new UsageError('name the backup to send (a file name in the backup directory)');
    const dataDir = path.resolve(requireOption(values['data-dir'], 'data-dir'));
    const backupDir = path.resolve(requireOption(values['backup-dir'], 'backup-dir'));
    await requireDataDir(dataDir);
    const outcomes = await withWorkDirsHeld({ dataDir, backupDir }, async () => {
      const { targets } = await readInstanceTargets(dataDir);
      const chosen =
        values.target === undefined ? targets.filter((target) => target.enabled) : [findTarget(targets, values.target, dataDir)];
      if (chosen.length === 0) {
        throw new UsageError(`${dataDir} has no enabled offsite target${targets.length === 0 ? ' (add one with locker target add)' : ''}`);
      }
      const settings = await readInstanceSealSettings(dataDir);
      return withProgressBar(!values.json, (onProgress) => pushToTargets(dataDir, backupDir, fileName, chosen, settings, onProgress));
    });
    const failed = outcomes.some((outcome) => !outcome.ok);
    if (values.json) {
      printJson({ ok: !failed, fileName, targets: outcomes });
      return failed ? EXIT_FAILURE : 0;
    }
    reportOutcomes(createOutput(false), outcomes);
    return failed ? EXIT_FAILURE : 0;
  },
};
