/**
 * Reads the `trigger` key of an archive's `backup_meta.json` without unpacking the archive
 * (peek-archive-meta.ts), remembering it per file: a published backup never changes, and a
 * settings page or dashboard polled by many clients listed the same archives hundreds of times a
 * second, each time with a fresh gunzip (under 50 clients: 70 MB of old-space garbage).
 */
import { BackupTriggerSchema, type BackupTrigger } from '../archive/format/backup-meta.ts';
import { peekArchiveMeta, peekSealedWith, type PeekOptions } from './peek-archive-meta.ts';
import type { SealedWith } from '../seal/sealed-input.ts';

/**
 * The `trigger` recorded in the archive at `archivePath` (`manual`, `scheduled`, `pre-restore`,
 * `download`), or null when it has none (every DOCSight archive) or cannot be read for any reason:
 * not gzip, not tar, no meta within peekArchiveMeta's bound, meta not JSON, unknown trigger value,
 * unreadable file.
 */
export async function readBackupTrigger(
  archivePath: string,
  identity?: FileIdentity,
  options: PeekOptions = {},
): Promise<BackupTrigger | null> {
  return (await readBackupFacts(archivePath, identity, options)).trigger;
}

/** What a listing shows of an archive without reading it through. */
export interface BackupFacts {
  /** As readBackupTrigger; for a sealed archive only when `options.identities` open it. */
  trigger: BackupTrigger | null;
  /** How a sealed archive is sealed; null for a plain one. */
  sealedWith: SealedWith | null;
}

/**
 * The trigger and the kind of seal of the archive at `archivePath`, remembered per file version
 * like the trigger alone. A sealed archive's trigger found unknown is asked again with other
 * identities (the key changed), never remembered as final.
 */
export async function readBackupFacts(archivePath: string, identity?: FileIdentity, options: PeekOptions = {}): Promise<BackupFacts> {
  const known = identity === undefined ? undefined : remembered.get(archivePath);
  if (known !== undefined && identity !== undefined && sameFile(known.identity, identity)) {
    if (known.facts.sealedWith === null || known.facts.trigger !== null) return known.facts;
  }
  const sealedWith = await peekSealedWith(archivePath);
  const meta = await peekArchiveMeta(archivePath, options);
  const parsed = meta === null ? undefined : BackupTriggerSchema.safeParse(meta['trigger']);
  const facts: BackupFacts = { trigger: parsed?.success === true ? parsed.data : null, sealedWith };
  if (identity !== undefined) {
    remembered.delete(archivePath);
    remembered.set(archivePath, { identity, facts });
    // Oldest first in a Map: forget the least recently read beyond the cap.
    for (const oldest of remembered.keys()) {
      if (remembered.size <= MAX_REMEMBERED) break;
      remembered.delete(oldest);
    }
  }
  return facts;
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
const remembered = new Map<string, { identity: FileIdentity; facts: BackupFacts }>();

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
