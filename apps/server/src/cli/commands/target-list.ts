/**
 * `locker target list`: a data directory's offsite targets, without any secret (which secrets are
 * set, and whether they still decrypt), with what happened to each: the last copy that arrived, the
 * last failure and its code.
 */
import path from 'node:path';
import { emptyTargetState, formatTargetUrl, publicTarget, readTargetState } from '@evidence-locker/core';
import { createOutput, printJson } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { readInstanceTargets } from '../instance-targets.ts';
import { describeRetention } from '../describe-retention.ts';
import { describeTargetSeal, requireDataDir } from './target-add.ts';

export const targetListCommand: Command = {
  name: 'target list',
  summary: "List a data directory's offsite targets and how their last pushes went (no secrets).",
  usage: '--data-dir DIR [--json]',
  async run(args) {
    const { values } = parseCommandArgs(args, { 'data-dir': { type: 'string' } });
    const dataDir = path.resolve(requireOption(values['data-dir'], 'data-dir'));
    await requireDataDir(dataDir);
    const { targets, problems } = await readInstanceTargets(dataDir);
    const state = await readTargetState(dataDir);
    const listed = targets.map((target) => {
      const { uploaded, ...shown } = state[target.id] ?? emptyTargetState();
      return { ...publicTarget(target), location: formatTargetUrl(target), state: { ...shown, copiesSent: uploaded.length } };
    });
    if (values.json) {
      printJson({
        ok: true,
        targets: listed,
        problems: problems.map(({ id, name, message }) => ({ id: id ?? null, name: name ?? null, message })),
      });
      return 0;
    }
    const out = createOutput(false);
    if (listed.length === 0) out.line(`${dataDir} has no offsite targets (add one with locker target add).`);
    for (const target of listed) {
      const { state: last } = target;
      out.line(`${target.name}${target.enabled ? '' : ' (disabled)'}`);
      out.table([
        ['Location', target.location],
        ['Sealed', describeTargetSeal(target)],
        ['Retention', describeRetention(target.retention)],
        ...(target.kind === 'sftp' ? ([['Host key', target.hostKeyFingerprint ?? 'not pinned yet']] as const) : []),
        ['Last copy', last.lastSuccessAt === null ? 'none yet' : `${last.lastSuccessName ?? '?'} at ${last.lastSuccessAt}`],
        ...(last.lastFailure === null
          ? []
          : ([['Last failure', `${last.lastFailure.at} ${last.lastFailure.code}: ${last.lastFailure.message}`]] as const)),
        ...(last.nextTryAt === null ? [] : ([['Next try', last.nextTryAt]] as const)),
        ...(target.unusable === undefined ? [] : ([['Unusable', target.unusable]] as const)),
      ]);
    }
    for (const problem of problems) out.line(`warning: ${problem.message}`);
    return 0;
  },
};
