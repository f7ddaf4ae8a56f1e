/**
 * Which stored backups were verified, and how it went, for the backup list's `verified` flag. Kept
 * in memory only (a restart forgets it; verifying again is cheap compared to losing trust in a
 * flag). A result belongs to one version of a file: name, size and modification time, so a file
 * replaced under the same name shows as unverified again.
 */
import { z } from 'zod';

export const VerificationSchema = z.object({
  /** True when the archive passed: checksums, member rules and SQLite's integrity check. */
  ok: z.boolean(),
  /** When the verification finished, ISO 8601 with offset. */
  at: z.string(),
  /** What was wrong, when `ok` is false. */
  message: z.string().optional(),
  /** The engine's code of what was wrong (`DATABASE_CORRUPT`, …), when `ok` is false. */
  code: z.string().optional(),
  /** The facts a translation of `code` may name. */
  details: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type Verification = z.infer<typeof VerificationSchema>;

/** One version of a stored backup: `modified` is the listing's ISO time (millisecond precision). */
export interface BackupFileVersion {
  fileName: string;
  size: number;
  modified: string;
}

/** Results kept at most; the oldest go first (retention is at most 100 backups). */
const MAX_KEPT = 500;

export class BackupVerifications {
  readonly #results = new Map<string, Verification>();

  /** Remembers the outcome of verifying `file`. */
  record(file: BackupFileVersion, verification: Verification): void {
    const key = keyOf(file);
    this.#results.delete(key);
    this.#results.set(key, verification);
    for (const oldest of this.#results.keys()) {
      if (this.#results.size <= MAX_KEPT) break;
      this.#results.delete(oldest);
    }
  }

  /** The last outcome for exactly this version of the file, or null when it was never verified. */
  lookup(file: BackupFileVersion): Verification | null {
    return this.#results.get(keyOf(file)) ?? null;
  }

  /** Forgets every result for `fileName` (after a delete). */
  forget(fileName: string): void {
    for (const key of [...this.#results.keys()]) {
      if (key.startsWith(`${fileName}\0`)) this.#results.delete(key);
    }
  }
}

function keyOf(file: BackupFileVersion): string {
  return `${file.fileName}\0${file.size}\0${file.modified}`;
}
