/**
 * `backup_meta.json`: the first member of every archive.
 *
 * DOCSight's keys are `magic`, `format_version` (an integer), `timestamp` (UTC ISO 8601),
 * `app_version` and `tables` (row counts of the main database, in creation order). DOCSight reads
 * only `magic` and `format_version` and ignores every other key, so Evidence Locker adds its own
 * as extra top-level keys:
 * - `members`: size and SHA-256 of every other member, checked on validate and restore;
 * - `connection_monitor_tables`: row counts of `connection_monitor.db`;
 * - `trigger`: what made the backup (`manual`, `scheduled`, `pre-restore`, `download`);
 * - `generator`: the program and version that wrote it;
 * - `gzip_members`: the compressed size of every gzip member after the meta's own, in order (the
 *   body's members, then the end-of-archive member), so a reader can inflate them in parallel
 *   (archive/read/inflate-archive.ts). A hint only: a reader that ignores it reads the same bytes.
 * - `gzip_member_sha256`: the SHA-256 of each of those members' uncompressed bytes, in the same
 *   order; `gzip_member_crc32`, the CRC-32 of each member's compressed bytes as stored (so a
 *   member damaged on the disk is never taken over); and `gzip_settings`, how they were compressed. The next backup in the same directory
 *   takes over the compressed bytes of every database chunk whose digest it finds here, instead of
 *   compressing it again (archive/create/reuse-previous-members.ts).
 */
import { z } from 'zod';
import { toPythonJson } from '../../python-json.ts';

export const BACKUP_MAGIC = 'docsight-backup';
export const FORMAT_VERSION = 1;

export const BACKUP_TRIGGERS = ['manual', 'scheduled', 'pre-restore', 'download'] as const;
export const BackupTriggerSchema = z.enum(BACKUP_TRIGGERS);
export type BackupTrigger = z.infer<typeof BackupTriggerSchema>;

export const TableCountsSchema = z.record(z.string(), z.number().int().nonnegative());
export type TableCounts = z.infer<typeof TableCountsSchema>;

export const MemberDigestSchema = z.object({
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex characters'),
});
export type MemberDigest = z.infer<typeof MemberDigestSchema>;

/**
 * Largest uncompressed gzip member a `gzip_members` index may describe. The writer indexes only
 * archives whose members are at most this big (2 MiB by default); the reader holds up to three
 * members in memory at once and refuses one that inflates to more.
 */
export const MAX_INDEXED_MEMBER_INFLATED = 8 * 1024 * 1024;
/** Largest compressed member in an index: deflate grows incompressible data by well under 1 %. */
export const MAX_INDEXED_MEMBER_SIZE = 9 * 1024 * 1024;
/** Most entries in an index: 128 GiB of 2 MiB members, far beyond the 32 GiB unpack cap. */
export const MAX_INDEXED_MEMBERS = 65_536;

export const GzipMemberIndexSchema = z.array(z.number().int().positive().max(MAX_INDEXED_MEMBER_SIZE)).min(1).max(MAX_INDEXED_MEMBERS);

/**
 * Most members whose digests the meta lists: 12,000 digests (about 23 GiB of data) make a meta of
 * about 0.9 MB, under the 1 MiB a reader accepts for it (read-archive-limits.ts). Beyond that the
 * archive carries no digests, and the next backup is a full one.
 */
export const MAX_DIGESTED_MEMBERS = 12_000;
const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex characters');
export const GzipMemberDigestsSchema = z.array(Sha256HexSchema).min(1).max(MAX_DIGESTED_MEMBERS);
export const GzipMemberCrcsSchema = z
  .array(z.string().regex(/^[0-9a-f]{8}$/, 'crc32 must be 8 lowercase hex characters'))
  .min(1)
  .max(MAX_DIGESTED_MEMBERS);

/** How the body's members were compressed: a member is taken over only under the same settings. */
export const GzipSettingsSchema = z.object({
  chunk_size: z.number().int().positive(),
  level: z.number().int().min(0).max(9),
  mem_level: z.number().int().min(1).max(9),
  /** `process.versions.zlib` of the writer: another zlib may compress the same bytes differently. */
  zlib: z.string(),
  /**
   * SHA-256 of a fixed sample compressed with these settings: the same zlib version may still
   * compress differently on another CPU (it picks its hashing by the CPU's features).
   */
  sample_sha256: Sha256HexSchema,
});
export type GzipSettings = z.infer<typeof GzipSettingsSchema>;

/** The meta as Evidence Locker writes it. Key order here is the order in the file. */
export const BackupMetaSchema = z.object({
  magic: z.literal(BACKUP_MAGIC),
  format_version: z.literal(FORMAT_VERSION),
  timestamp: z.string(),
  app_version: z.string(),
  tables: TableCountsSchema,
  members: z.record(z.string(), MemberDigestSchema),
  connection_monitor_tables: TableCountsSchema,
  trigger: BackupTriggerSchema,
  generator: z.string(),
  gzip_members: GzipMemberIndexSchema.optional(),
  gzip_member_sha256: GzipMemberDigestsSchema.optional(),
  gzip_member_crc32: GzipMemberCrcsSchema.optional(),
  gzip_settings: GzipSettingsSchema.optional(),
});
export type BackupMeta = z.infer<typeof BackupMetaSchema>;

/**
 * The meta as read from any archive (DOCSight's or ours): only what DOCSight itself requires is
 * required. Our optional keys are checked when present, since a wrong checksum table must not be
 * trusted; unknown keys are kept.
 */
export const ArchiveMetaSchema = z
  .object({
    magic: z.string(),
    format_version: z.number().int(),
    timestamp: z.string().optional(),
    app_version: z.string().optional(),
    tables: TableCountsSchema.optional(),
    members: z.record(z.string(), MemberDigestSchema).optional(),
    connection_monitor_tables: TableCountsSchema.optional(),
    trigger: BackupTriggerSchema.optional(),
    generator: z.string().optional(),
    gzip_members: GzipMemberIndexSchema.optional(),
    // gzip_member_sha256 and gzip_settings are left unchecked here: only the next backup reads
    // them (with its own checks), and a restore has no use for them.
  })
  .passthrough();
export type ArchiveMeta = z.infer<typeof ArchiveMetaSchema>;

/** Serialises a meta exactly as DOCSight's `json.dump(meta, f, indent=2)` does. */
export function serializeMeta(meta: BackupMeta): string {
  return toPythonJson(meta);
}
