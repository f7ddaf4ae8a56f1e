/**
 * `locker target remove NAME`: takes a target out of a data directory's settings and forgets its
 * state. The copies on the target stay there: nothing is deleted remotely.
 */
import path from 'node:path';
import { forgetTarget, formatTargetUrl } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { changeInstanceTargets, findTarget } from '../instance-targets.ts';
import { requireDataDir } from './target-add.ts';

export const targetRemoveCommand: Command = {
  name: 'target remove',
  summary: "Remove a target from a data directory's settings (its copies stay on the target).",
  usage: 'NAME --data-dir DIR [--json]',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { 'data-dir': { type: 'string' } }, { positionals: 1 });
    const name = positionals[0];
    if (name === undefined) throw new UsageError('name the target to remove');
    const dataDir = path.resolve(requireOption(values['data-dir'], 'data-dir'));
    await requireDataDir(dataDir);
    const target = await changeInstanceTargets(dataDir, (current) => {
      const found = findTarget(current.targets, name, dataDir);
      return { targets: current.targets.filter((other) => other.id !== found.id), answer: found };
    });
    await forgetTarget(dataDir, target.id);
    const location = formatTargetUrl(target);
    if (values.json) {
      printJson({ ok: true, removed: target.name, id: target.id, location, copiesLeft: true });
      return 0;
    }
    const out = createOutput(false);
    out.line(`Removed target "${target.name}" from ${dataDir}.`);
    out.line(`The copies already sent to ${location} stay there: delete them on the target if you no longer want them.`);
    return 0;
  },
};
