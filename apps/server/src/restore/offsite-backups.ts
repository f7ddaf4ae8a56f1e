/**
 * The setup wizard's "From offsite storage" list: the backups a target holds, for a target the
 * user describes (nothing is saved). Connects, lists, closes. An SFTP server whose host key the
 * user has not accepted is refused with TARGET_HOST_KEY_UNKNOWN and the fingerprint in
 * `details.fingerprint`; the client shows it and asks again with `hostKeyFingerprint` set.
 */
import { openTarget } from '@evidence-locker/core';
import { backupCopies, type BackupCopy } from '../targets/backup-copies.ts';
import { draftConnection, type TargetDraft } from '../targets/target-draft.ts';

/** The backups at the target `draft` describes, newest first (none of them sent by this instance). */
export async function listOffsiteBackups(draft: TargetDraft, signal?: AbortSignal): Promise<BackupCopy[]> {
  const target = await openTarget(draftConnection(draft));
  try {
    return backupCopies(await target.list({ signal }));
  } finally {
    await target.close().catch(() => undefined);
  }
}
