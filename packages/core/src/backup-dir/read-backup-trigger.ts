/**
 * Reads the `trigger` key of an archive's `backup_meta.json` without unpacking the archive
 * (peek-archive-meta.ts).
 */
import { BackupTriggerSchema, type BackupTrigger } from '../archive/backup-meta.ts';
import { peekArchiveMeta } from './peek-archive-meta.ts';

/**
 * The `trigger` recorded in the archive at `archivePath` (`manual`, `scheduled`, `pre-restore`,
 * `download`), or null when it has none (every DOCSight archive) or cannot be read for any reason:
 * not gzip, not tar, meta not first, meta not JSON, unknown trigger value, unreadable file.
 */
export async function readBackupTrigger(archivePath: string): Promise<BackupTrigger | null> {
  const meta = await peekArchiveMeta(archivePath);
  if (meta === null) return null;
  const parsed = BackupTriggerSchema.safeParse(meta['trigger']);
  return parsed.success ? parsed.data : null;
}
