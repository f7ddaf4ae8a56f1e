/**
 * Reads the `trigger` key of an archive's `backup_meta.json` without unpacking the archive
 * (peek-archive-meta.ts), remembering it per file: a published backup never changes, and a
 * settings page or dashboard polled by many clients listed the same archives hundreds of times a
 * second, each time with a fresh gunzip (under 50 clients: 70 MB of old-space garbage).
 */
import { BackupTriggerSchema, type BackupTrigger } from '../archive/format/backup-meta.ts';
import { peekArchiveMeta } from './peek-archive-meta.ts';

/**
 * The `trigger` recorded in the archive at `archivePath` (`manual`, `scheduled`, `pre-restore`,
 * `download`), or null when it has none (every DOCSight archive) or cannot be read for any reason:
 * not gzip, not tar, no meta within peekArchiveMeta's bound, meta not JSON, unknown trigger value,
 * unreadable file.
 */
export async function readBackupTrigger(archivePath: string, identity?: FileIdentity): Promise<BackupTrigger | null> {
  const known = identity === undefined ? undefined : remembered.get(archivePath);
  if (known !== undefined && identity !== undefined && sameFile(known.identity, identity)) return known.trigger;
  const meta = await peekArchiveMeta(archivePath);
  const parsed = meta === null ? undefined : BackupTriggerSchema.safeParse(meta['trigger']);
  const trigger = parsed?.success === true ? parsed.data : null;
  if (identity !== undefined) {
    remembered.delete(archivePath);
    remembered.set(archivePath, { identity, trigger });
    // Oldest first in a Map: forget the least recently read beyond the cap.
    for (const oldest of remembered.keys()) {
      if (remembered.size <= MAX_REMEMBERED) break;
      remembered.delete(oldest);
    }
  }
  return trigger;
}

/** What identifies one version of a file: a replaced or rewritten file differs in one of these. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** Files whose trigger is remembered; far more than a backup directory holds. */
const MAX_REMEMBERED = 2048;
const remembered = new Map<string, { identity: FileIdentity; trigger: BackupTrigger | null }>();

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
