/**
 * Absolute caps on what one archive may unpack to. DOCSight has none (a gzip bomb fills the disk);
 * an expansion ratio is no use either, because real databases compress 20x and more (demo
 * databases with zeroed free pages far more). The defaults fit data dirs of several GB: a
 * 9-month history database is about 250 MB.
 */
export interface ReadArchiveLimits {
  /** Most tar entries (files, directories, links) in one archive. Default 64. */
  maxMembers: number;
  /** Largest database member, and largest unknown member that is skipped. Default 16 GiB. */
  maxDatabaseSize: number;
  /** Largest `backup_meta.json`, `config.json` or key file. Default 1 MiB. */
  maxSmallFileSize: number;
  /** Most bytes all members together may unpack to. Default 32 GiB. */
  maxTotalSize: number;
  /**
   * Most unpacked bytes outside member contents: tar headers, PAX records, padding and the zero
   * blocks that end an archive. tar-stream skips zero blocks forever, so without this cap a stream
   * of zeros after the last member would be read to its end. Default 16 MiB.
   */
  maxOverheadSize: number;
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

export const DEFAULT_READ_ARCHIVE_LIMITS: Readonly<ReadArchiveLimits> = Object.freeze({
  maxMembers: 64,
  maxDatabaseSize: 16 * GIB,
  maxSmallFileSize: 1 * MIB,
  maxTotalSize: 32 * GIB,
  maxOverheadSize: 16 * MIB,
});

/** The defaults with `overrides` applied. */
export function resolveReadArchiveLimits(overrides: Partial<ReadArchiveLimits> = {}): ReadArchiveLimits {
  const limits = { ...DEFAULT_READ_ARCHIVE_LIMITS };
  for (const key of Object.keys(limits) as (keyof ReadArchiveLimits)[]) {
    const value = overrides[key];
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}
