/**
 * The `push` job: sends one stored backup to one offsite target, then applies that target's
 * retention. It only reads the backup file (never changes, delays or deletes it) and runs in the
 * target's own lane (job-runner.ts), beside backups rather than in front of them.
 *
 * Steps: `upload` (bytes of the local file; sealed on the way as the target says, target-seal.ts),
 * the state recorded (core's target-state.ts: success with what made the backup, or the failure with
 * its code and when the next try is due), then `prune`: core's targetRetention over the target's
 * listing, deleting only copies this instance sent (`uploaded`), never the newest and never the one
 * just sent; copies of manual and pre-restore backups as the target's rule says (their recorded
 * trigger). A retention
 * that fails is reported in the result; the copy is there all the same.
 */
import { refusalOf } from '../errors/server-refusal.ts';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  copyTrigger,
  forgetCopy,
  isLockerError,
  isSealedBackupFileName,
  keepsEverything,
  openTarget,
  pushBackup,
  readBackupTrigger,
  readTargetState,
  recordPushFailure,
  recordPushSuccess,
  sealedArchiveName,
  targetRetention,
  type BackupTarget,
  type BackupTrigger,
  type PushResult,
  type TargetRetention,
} from '@evidence-locker/core';
import { z } from 'zod';
import type { Instance } from '../instance/instance.ts';
import type { JobSpec } from '../jobs/job-runner.ts';
import { instanceIdentities } from '../seal/instance-seal-settings.ts';
import { findInstanceTarget } from './instance-targets.ts';
import { targetSealKey } from './target-seal.ts';

export const PushJobResultSchema = z.object({
  targetId: z.string(),
  targetName: z.string(),
  /** The local backup sent. */
  fileName: z.string(),
  /** Its name at the target (`….tar.gz.age` when sealed on the way). */
  remoteName: z.string(),
  size: z.number().int().nonnegative(),
  sealed: z.boolean(),
  /** True when the target already held this copy from an earlier try of this instance (nothing sent again). */
  alreadyThere: z.boolean(),
  /** Copies the target's retention deleted, newest first. */
  pruned: z.array(z.string()),
  /** Copies the retention could not delete, or why it failed as a whole; the new copy is fine. */
  pruneProblems: z.array(z.string()),
});
export type PushJobResult = z.infer<typeof PushJobResultSchema>;

/** Options of {@link pushJobSpec}. */
export interface PushJobOptions {
  instance: Instance;
  targetId: string;
  backupDir: string;
  fileName: string;
  /**
   * What made the backup, when the caller knows (the backup job just made it); else read from the
   * file's meta (with the instance's identities for a sealed one). Recorded with the copy, so the
   * target's retention keeps manual and pre-restore copies out of its rule.
   */
  trigger?: BackupTrigger | null | undefined;
  /** Now, in milliseconds (the pusher's clock). */
  now: () => number;
  /**
   * When the next try is due after this one failed (`failures` counts it), or null for none; the
   * failure is recorded with it before the job ends.
   */
  retryAt: (failures: number, error: unknown) => Date | null;
  /**
   * Called once the outcome is recorded: the failure's time of the next try, or null after success
   * or cancel; `failure` (its code and message, as recorded) when the push failed.
   */
  onSettled?: (outcome: { retryAt: Date | null; succeeded: boolean; failure?: { code: string; message: string } }) => void;
}

/** One push of `fileName` to the target `targetId`, in the lane `push:<targetId>`. */
export function pushJobSpec(options: PushJobOptions): JobSpec<'push'> {
  const { instance, targetId, backupDir, fileName } = options;
  const label = findInstanceTarget(instance, targetId).name;
  return {
    kind: 'push',
    label: `${fileName} to ${label}`,
    writesDataDir: false,
    lane: `push:${targetId}`,
    async run({ signal, report }) {
      const target = findInstanceTarget(instance, targetId);
      let remote: BackupTarget | undefined;
      try {
        const seal = targetSealKey(target, instance);
        const local = await stat(path.join(backupDir, fileName)).catch(() => undefined);
        const total = local?.size;
        report({ phase: 'upload', bytesDone: 0, ...(total === undefined ? {} : { bytesTotal: total }) });
        remote = await openTarget(target);
        const remoteName = seal !== undefined && !isSealedBackupFileName(fileName) ? sealedArchiveName(fileName) : fileName;
        const pushed = await pushOrFind(remote, instance.dataDir, targetId, remoteName, () =>
          pushBackup(
            remote!,
            { backupDir, fileName },
            {
              seal,
              signal,
              onBytes: (done) => report({ phase: 'upload', bytesDone: done, bytesTotal: Math.max(done, total ?? done) }),
            },
          ),
        );
        const trigger =
          options.trigger ??
          (await readBackupTrigger(path.join(backupDir, fileName), undefined, { identities: instanceIdentities(instance) }));
        await recordPushSuccess(instance.dataDir, targetId, pushed.remoteName, new Date(options.now()), trigger);
        options.onSettled?.({ retryAt: null, succeeded: true });
        report({ phase: 'prune', bytesDone: 0 });
        const { pruned, pruneProblems } = await applyRetention(remote, instance.dataDir, target, pushed.remoteName, options.now(), signal);
        return {
          targetId,
          targetName: target.name,
          fileName,
          remoteName: pushed.remoteName,
          size: pushed.size,
          sealed: pushed.sealed,
          alreadyThere: pushed.alreadyThere,
          pruned,
          pruneProblems,
        };
      } catch (error) {
        if (signal.aborted || (isLockerError(error) && error.code === 'CANCELLED')) {
          options.onSettled?.({ retryAt: null, succeeded: false });
          throw error;
        }
        const failures = ((await readTargetState(instance.dataDir))[targetId]?.failures ?? 0) + 1;
        const retryAt = options.retryAt(failures, error);
        // A server refusal (TARGET_SEAL_NO_KEY, TARGET_NOT_FOUND) keeps its own code in the state, for the UI's text.
        const refused = refusalOf(error);
        const recorded = await recordPushFailure(
          instance.dataDir,
          targetId,
          refused === undefined ? error : { code: refused.code, message: refused.message },
          new Date(options.now()),
          retryAt,
        );
        const failure = recorded.lastFailure ?? { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
        options.onSettled?.({ retryAt, succeeded: false, failure: { code: failure.code, message: failure.message } });
        throw error;
      } finally {
        await remote?.close().catch(() => undefined);
      }
    },
  };
}

/**
 * Pushes, but a name already taken at the target by a copy this instance sent (an earlier try
 * whose success was not recorded, or a second push of the same backup) counts as sent.
 */
async function pushOrFind(
  remote: BackupTarget,
  dataDir: string,
  targetId: string,
  remoteName: string,
  push: () => Promise<PushResult>,
): Promise<PushResult & { alreadyThere: boolean }> {
  try {
    return { ...(await push()), alreadyThere: false };
  } catch (error) {
    if (!isLockerError(error) || error.code !== 'TARGET_NAME_TAKEN') throw error;
    const uploaded = (await readTargetState(dataDir))[targetId]?.uploaded ?? [];
    const entry = uploaded.includes(remoteName) ? await remote.stat(remoteName) : null;
    if (entry === null) throw error;
    return { remoteName, size: entry.size, sealed: isSealedBackupFileName(remoteName), alreadyThere: true };
  }
}

async function applyRetention(
  remote: BackupTarget,
  dataDir: string,
  target: { id: string; retention: TargetRetention },
  justSent: string,
  now: number,
  signal: AbortSignal,
): Promise<{ pruned: string[]; pruneProblems: string[] }> {
  const pruned: string[] = [];
  const pruneProblems: string[] = [];
  if (keepsEverything(target.retention)) return { pruned, pruneProblems };
  try {
    const state = (await readTargetState(dataDir))[target.id];
    const uploaded = new Set(state?.uploaded ?? []);
    const entries = await remote.list({ signal });
    const doomed = targetRetention(entries, target.retention, new Date(now), (name) => uploaded.has(name), {
      triggerOf: (name) => copyTrigger(state, name),
    });
    for (const name of doomed) {
      // An older backup sent by hand may fall outside the rule at once; it stays until the next push.
      if (name === justSent) continue;
      try {
        await remote.delete(name, { signal });
        await forgetCopy(dataDir, target.id, name);
        pruned.push(name);
      } catch (error) {
        pruneProblems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } catch (error) {
    pruneProblems.push(error instanceof Error ? error.message : String(error));
  }
  return { pruned, pruneProblems };
}
