/**
 * Restores a backup copy straight from a target, as a `restore` job (enqueue-restore.ts): from a
 * target the instance stores (`restore.start({ target: { id }, name })`, the protected rule), or
 * from a target the setup wizard's "From offsite storage" describes (`restore.start({ offsite })`,
 * the setup rule). What can be refused is refused before the job is queued and before anything
 * changes: a name that is not a backup's, a key that is not one, a target that cannot be reached
 * or logged into, an SFTP host key not accepted, a copy that is not there. Once restored, the
 * target is kept in the restored config (keep-restored-target.ts).
 */
import { openTarget, targetError, type BackupTarget, type OpenKey, type TargetConfig } from '@evidence-locker/core';
import type { JobSnapshot } from '../jobs/job-snapshot.ts';
import { findInstanceTarget } from '../targets/instance-targets.ts';
import { draftConnection, draftTarget, type TargetDraft } from '../targets/target-draft.ts';
import { enqueueRestore, type EnqueueRestoreOptions } from './enqueue-restore.ts';
import { keepRestoredTarget } from './keep-restored-target.ts';
import { checkCopyName } from './target-copy-source.ts';

/** What enqueueRestore needs besides the source. */
export type TargetRestoreOptions = Omit<EnqueueRestoreOptions, 'source'>;

/** Queues the restore of copy `name` of the stored target `id`. */
export async function startStoredTargetRestore(
  options: TargetRestoreOptions,
  request: { id: string; name: string; key: OpenKey | undefined },
): Promise<JobSnapshot> {
  checkCopyName(request.name);
  const stored = findInstanceTarget(options.instance, request.id);
  return startTargetRestore(options, await openTarget(stored), stored, request);
}

/** Queues the restore of copy `name` of the target `draft` describes (the wizard's form). */
export async function startOffsiteRestore(
  options: TargetRestoreOptions,
  request: { draft: TargetDraft; name: string; key: OpenKey | undefined },
): Promise<JobSnapshot> {
  checkCopyName(request.name);
  // Checked now, so a target that could not be saved is refused before the restore, not after it.
  const wanted = draftTarget(request.draft);
  return startTargetRestore(options, await openTarget(draftConnection(request.draft)), wanted, request);
}

async function startTargetRestore(
  options: TargetRestoreOptions,
  target: BackupTarget,
  wanted: TargetConfig,
  request: { name: string; key: OpenKey | undefined },
): Promise<JobSnapshot> {
  try {
    // Reaches the server: unreachable, refused login, an unaccepted host key or a missing copy are
    // answered now, with nothing queued.
    const entry = await target.stat(request.name);
    if (entry === null) {
      throw targetError('TARGET_OBJECT_MISSING', target.location, {
        specifics: `It holds no ${request.name}.`,
        details: { name: request.name },
      });
    }
  } catch (error) {
    await target.close().catch(() => undefined);
    throw error;
  }
  // enqueueRestore closes the target from here on, however the job ends (or if it never runs).
  return enqueueRestore({
    ...options,
    source: {
      kind: 'target',
      target,
      name: request.name,
      key: request.key,
      keepTarget: async (result) => ({
        ...result,
        offsiteTarget: await keepRestoredTarget(options.instance, wanted, request.name, options.log),
      }),
    },
  });
}
