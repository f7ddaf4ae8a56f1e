/**
 * What a reader or a restore tells the user without refusing the archive: a skipped directory or
 * unknown member, a newer format version, demo mode turned off. Each warning carries a code from a
 * closed list (so a UI shows it in the user's language), the English message the CLI prints, and
 * the facts a translation may name (`details`).
 */
import { z } from 'zod';

export const ARCHIVE_WARNING_CODES = [
  /** A directory member that is not a data file was skipped (`details.name`). */
  'DIRECTORY_SKIPPED',
  /** A regular member that is not a DOCSight data file was skipped (`details.name`). */
  'MEMBER_SKIPPED',
  /** The meta's format_version is newer than this reader's (`details.version`, `details.supported`). */
  'FORMAT_VERSION_NEWER',
  /** The archive came from a demo instance without a modem, so the restore turned demo mode off. */
  'DEMO_MODE_LEFT',
] as const;

export type ArchiveWarningCode = (typeof ARCHIVE_WARNING_CODES)[number];

export const ArchiveWarningSchema = z.object({
  code: z.enum(ARCHIVE_WARNING_CODES),
  /** English, for the CLI and logs. */
  message: z.string(),
  /** Facts a translation may name (member names, versions). */
  details: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type ArchiveWarning = z.infer<typeof ArchiveWarningSchema>;

/** One warning: `code`, its English `message`, and the `details` a translation may name (default none). */
export function archiveWarning(code: ArchiveWarningCode, message: string, details: Record<string, string | number> = {}): ArchiveWarning {
  return { code, message, details };
}
