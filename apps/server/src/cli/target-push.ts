/**
 * Sending a stored backup to a data directory's targets from the command line (`backup create`
 * after the local copy is published, `backup push`): one target after the other, each sealed as
 * the target says (the instance's key, or its recipient; a backup that is already sealed goes as
 * it is), the outcome recorded in the data directory's target state (with what made the backup),
 * then the target's retention applied to the copies this instance sent there. A target that fails is an outcome, never a
 * thrown error: the local backup is never touched.
 */
import path from 'node:path';
import {
  copyTrigger,
  forgetCopy,
  formatTargetUrl,
  identitiesOf,
  isLockerError,
  isSealedBackupFileName,
  keepsEverything,
  pushBackup,
  readBackupTrigger,
  readTargetState,
  recordPushFailure,
  recordPushSuccess,
  sealKeyOf,
  targetRetention,
  type SealKey,
  type SealSettings,
  type TargetConfig,
} from '@evidence-locker/core';
import type { ProgressUpdate } from './progress-bar.ts';
import { withTarget } from './target-flags.ts';

export type PushOutcome = { target: string; location: string } & (
  | {
      ok: true;
      remoteName: string;
      size: number;
      sealed: boolean;
      seconds: number;
      alreadyThere: boolean;
      pruned: string[];
      warning: string | null;
    }
  | { ok: false; code: string; message: string }
);

/** A refusal of this module's own, recorded and reported with its code (the server's code for the same case). */
interface PushRefusal {
  code: 'TARGET_SEAL_NO_KEY';
  message: string;
}

/** The key a copy to `target` is sealed with (undefined: sent as it is), or the refusal when it should seal and cannot. */
function sealKeyFor(
  target: TargetConfig,
  settings: SealSettings,
  fileName: string,
  dataDir: string,
): { key: SealKey | undefined } | PushRefusal {
  if (!target.sealed || isSealedBackupFileName(fileName)) return { key: undefined };
  if (target.recipient !== undefined) return { key: { recipients: [target.recipient] } };
  const key = sealKeyOf(settings);
  if (key !== undefined) return { key };
  return {
    code: 'TARGET_SEAL_NO_KEY',
    message:
      `Copies to "${target.name}" are to be sealed with this instance's key, but the settings of ${dataDir} do not seal backups: nothing was sent. ` +
      'Turn sealing on (Settings, Sealed backups), or add the target again with --recipient age1… or --plain.',
  };
}

/** Sends `fileName` from `backupDir` to each of `targets` in turn; one outcome per target, in order. */
export async function pushToTargets(
  dataDir: string,
  backupDir: string,
  fileName: string,
  targets: readonly TargetConfig[],
  settings: SealSettings,
  onProgress?: (progress: ProgressUpdate) => void,
): Promise<PushOutcome[]> {
  const outcomes: PushOutcome[] = [];
  for (const target of targets) outcomes.push(await pushToTarget(dataDir, backupDir, fileName, target, settings, onProgress));
  return outcomes;
}

async function pushToTarget(
  dataDir: string,
  backupDir: string,
  fileName: string,
  target: TargetConfig,
  settings: SealSettings,
  onProgress?: (progress: ProgressUpdate) => void,
): Promise<PushOutcome> {
  const started = performance.now();
  const head = { target: target.name, location: formatTargetUrl(target) };
  try {
    const sealing = sealKeyFor(target, settings, fileName, dataDir);
    if ('code' in sealing) {
      await recordPushFailure(dataDir, target.id, sealing, new Date(), null).catch(() => undefined);
      return { ...head, ok: false, ...sealing };
    }
    const seal = sealing.key;
    return await withTarget(target, {}, async (remote) => {
      let sent: { remoteName: string; size: number; sealed: boolean };
      let alreadyThere = false;
      try {
        sent = await pushBackup(
          remote,
          { backupDir, fileName },
          { seal, onBytes: (bytesDone) => onProgress?.({ phase: 'upload', bytesDone }) },
        );
      } catch (error) {
        // A copy this instance sent before (a second push of the same backup) is not a failure.
        const remoteName = seal === undefined ? fileName : `${fileName}.age`;
        const own = (await readTargetState(dataDir))[target.id]?.uploaded.includes(remoteName) ?? false;
        if (!(isLockerError(error) && error.code === 'TARGET_NAME_TAKEN' && own)) throw error;
        const entry = await remote.stat(remoteName);
        sent = { remoteName, size: entry?.size ?? 0, sealed: seal !== undefined || isSealedBackupFileName(fileName) };
        alreadyThere = true;
      }
      // What made the backup goes with the copy: the target's retention keeps manual and pre-restore copies out of its rule.
      const trigger = await readBackupTrigger(path.join(backupDir, fileName), undefined, { identities: identitiesOf(settings) });
      await recordPushSuccess(dataDir, target.id, sent.remoteName, new Date(), trigger);
      const seconds = (performance.now() - started) / 1000;
      // Retention on the target: only copies this instance sent, never its newest. A failure here is a warning.
      const pruned: string[] = [];
      let warning: string | null = null;
      if (!keepsEverything(target.retention)) {
        try {
          const state = (await readTargetState(dataDir))[target.id];
          const uploaded = new Set(state?.uploaded ?? []);
          const doomed = targetRetention(await remote.list(), target.retention, new Date(), (name) => uploaded.has(name), {
            triggerOf: (name) => copyTrigger(state, name),
          });
          for (const name of doomed) {
            await remote.delete(name);
            await forgetCopy(dataDir, target.id, name);
            pruned.push(name);
          }
        } catch (error) {
          warning = `the copy arrived, but removing old copies failed: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      return { ...head, ok: true as const, ...sent, seconds, alreadyThere, pruned, warning };
    });
  } catch (error) {
    await recordPushFailure(dataDir, target.id, error, new Date(), null).catch(() => undefined);
    return {
      ...head,
      ok: false,
      code: isLockerError(error) ? error.code : 'TARGET_FAILED',
      message: error instanceof Error ? error.message : String(error),
    };
  }
}
