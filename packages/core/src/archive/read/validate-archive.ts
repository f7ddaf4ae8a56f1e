/**
 * Validation of a backup archive without touching any data dir: the same single pass as a restore,
 * with every data member drained instead of staged.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CONFIG_FILE, HISTORY_DB } from '../../data-dir-layout.ts';
import { EvidenceCountsSchema, evidenceCounts } from '../../db/evidence-counts.ts';
import { LockerError, errnoCode } from '../../errors.ts';
import { z } from 'zod';
import { ArchiveWarningSchema } from '../format/archive-warning.ts';
import { ArchiveMetaSchema } from '../format/backup-meta.ts';
import { sealExpectationOf } from '../../seal/sealed-input.ts';
import { ArchiveMemberDigestSchema, readArchive, type ArchiveSource, type ReadArchiveOptions } from './read-archive.ts';

/** What a valid archive holds (DOCSight's `validate_backup` result plus digests and warnings). */
export const ArchiveValidationSchema = z.object({
  meta: ArchiveMetaSchema,
  /** Data members with their real size and SHA-256, in archive order. */
  members: z.array(ArchiveMemberDigestSchema),
  /** Accepted member names in archive order, `backup_meta.json` included (DOCSight's `files`). */
  files: z.array(z.string()),
  has_database: z.boolean(),
  has_config: z.boolean(),
  /** A newer format_version, skipped unknown members and directories (code, English message, details). */
  warnings: z.array(ArchiveWarningSchema),
  /** What the archive holds in a person's words, from the meta's row counts; null when the meta has none (DOCSight's `tables` is optional). */
  evidence: EvidenceCountsSchema.nullable(),
});
export type ArchiveValidation = z.infer<typeof ArchiveValidationSchema>;

/**
 * Reads the whole archive from `source` and checks it: container, member rules, meta, and the
 * `members` checksums when the meta has them. Throws a LockerError on the first problem.
 */
export async function validateArchive(source: ArchiveSource, options: ReadArchiveOptions = {}): Promise<ArchiveValidation> {
  const result = await readArchive(
    source,
    async (_member, content) => {
      for await (const _chunk of content) {
        // drained: validation only needs the digest the reader computes
      }
    },
    options,
  );
  return archiveValidationOf(result);
}

/** The validation verdict of an archive that was read in full (by validateArchive or prepareRestore). */
export function archiveValidationOf(read: Pick<ArchiveValidation, 'meta' | 'members' | 'files' | 'warnings'>): ArchiveValidation {
  return {
    meta: read.meta,
    members: read.members,
    files: read.files,
    has_database: read.files.includes(HISTORY_DB),
    has_config: read.files.includes(CONFIG_FILE),
    warnings: read.warnings,
    evidence: read.meta.tables ? evidenceCounts(read.meta.tables, read.meta.connection_monitor_tables) : null,
  };
}

/**
 * validateArchive on the file at `path`; progress gets the file size as `bytesTotal`, and the name
 * says whether a sealed archive is expected (`options.seal.expect` overrides it).
 */
export async function validateArchiveFile(path: string, options: ReadArchiveOptions = {}): Promise<ArchiveValidation> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') {
      throw new LockerError('BACKUP_NOT_FOUND', `Backup file not found: ${path}`, { cause: error });
    }
    throw error;
  }
  return validateArchive(createReadStream(path), {
    bytesTotal: size,
    ...options,
    seal: { expect: sealExpectationOf(path), ...options.seal },
  });
}
