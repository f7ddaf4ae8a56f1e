/**
 * `locker target test NAME`: Test connection for a saved target (write, read back and delete a
 * probe file). With `--accept-host-key`, an SFTP server's new host key is trusted and pinned.
 */
import path from 'node:path';
import { LockerError, formatTargetUrl, probeTarget, type TargetConfig } from '@evidence-locker/core';
import { createOutput, printJson, UsageError } from '../cli-output.ts';
import { parseCommandArgs, requireOption, type Command } from '../command.ts';
import { changeInstanceTargets, findTarget, readInstanceTargets } from '../instance-targets.ts';
import { presentedHostKey, withTarget } from '../target-flags.ts';
import { requireDataDir } from './target-add.ts';

export const targetTestCommand: Command = {
  name: 'target test',
  summary: 'Test the connection to a saved target: write, read back and delete a probe file.',
  usage: 'NAME --data-dir DIR [--accept-host-key] [--json]',
  notes: ['--accept-host-key: trust and pin the host key an SFTP server presents now (after it changed; check its fingerprint first).'],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      { 'data-dir': { type: 'string' }, 'accept-host-key': { type: 'boolean', default: false } },
      { positionals: 1 },
    );
    const name = positionals[0];
    if (name === undefined) throw new UsageError('name the target to test');
    const dataDir = path.resolve(requireOption(values['data-dir'], 'data-dir'));
    await requireDataDir(dataDir);
    const read = await readInstanceTargets(dataDir);
    const target = findTarget(read.targets, name, dataDir);
    if (values['accept-host-key'] && target.kind !== 'sftp') throw new UsageError('--accept-host-key is for SFTP targets');
    let pinned: string | null = null;
    const probe = await withTarget(target, { acceptHostKey: values['accept-host-key'] }, async (remote) => {
      const result = await probeTarget(remote);
      const presented = presentedHostKey(remote);
      if (target.kind === 'sftp' && presented !== null && presented !== target.hostKeyFingerprint) pinned = presented;
      return result;
    });
    if (pinned !== null) {
      const fingerprint: string = pinned;
      // Pinned on the target as config.json holds it now (another save may have changed the list),
      // and only while it still points at the server that presented the key: a target removed or
      // moved to another host or port meanwhile (in the browser) keeps what it has.
      const kept = await changeInstanceTargets(dataDir, (current) => {
        const targets = pinHostKey(current.targets, target, fingerprint);
        return { targets, answer: targets !== null };
      });
      if (!kept) {
        throw new LockerError(
          'INVALID_ARGUMENT',
          `"${target.name}" was removed or its server changed while it was tested; its host key ${fingerprint} was not pinned. Test it again.`,
          { details: { name: target.name } },
        );
      }
    }
    if (values.json) {
      printJson({ ok: true, target: target.name, location: formatTargetUrl(target), ...probe, pinnedHostKey: pinned });
      return 0;
    }
    const out = createOutput(false);
    out.line(`"${target.name}" works: wrote, read back and deleted a probe file in ${probe.elapsedMs} ms (${formatTargetUrl(target)}).`);
    out.line(`It holds ${probe.entries} file(s).`);
    if (pinned !== null) out.line(`Pinned its host key ${String(pinned)}.`);
    return 0;
  },
};

/**
 * `targets` with `fingerprint` pinned on the saved `probed` target, or null when it is gone or no
 * longer points at the host and port that presented the key.
 */
export function pinHostKey(targets: readonly TargetConfig[], probed: TargetConfig, fingerprint: string): TargetConfig[] | null {
  const saved = targets.find((candidate) => candidate.id === probed.id);
  if (saved?.kind !== 'sftp' || probed.kind !== 'sftp' || saved.host !== probed.host || saved.port !== probed.port) return null;
  return targets.map((candidate) => (candidate === saved ? { ...saved, hostKeyFingerprint: fingerprint } : candidate));
}
