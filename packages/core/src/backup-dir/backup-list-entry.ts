/**
 * One backup as a listing shows it. This shape crosses into the CLI and the server, so it has a
 * schema. Unlike DOCSight's `{filename, size, modified}` it carries the absolute path, a `modified`
 * time with its UTC offset and the trigger read from the archive's meta.
 */
import { z } from 'zod';
import { BackupTriggerSchema } from '../archive/format/backup-meta.ts';

export const BackupListEntrySchema = z.object({
  /** The file name inside the backup directory, e.g. `docsight_backup_2026-11-26_070200.tar.gz`. */
  fileName: z.string(),
  /** Absolute path of the file. */
  path: z.string(),
  /** Size in bytes. */
  size: z.number().int().nonnegative(),
  /** Modification time, ISO 8601 with the server's local offset (`2026-11-26T08:07:13.713+01:00`). */
  modified: z.string(),
  /** What made the backup; null for DOCSight's archives and when the meta cannot be read. */
  trigger: BackupTriggerSchema.nullable(),
  /**
   * How a sealed backup (`….tar.gz.age`) is sealed, read from its header without a key: `identity`
   * (an age key, as the recovery kit holds) or `passphrase`; null for a plain backup.
   */
  sealed: z.enum(['identity', 'passphrase']).nullable(),
});
export type BackupListEntry = z.infer<typeof BackupListEntrySchema>;
