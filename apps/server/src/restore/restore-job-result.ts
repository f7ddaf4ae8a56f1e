/**
 * The result of a `restore` job as clients read it from the job snapshot's `result` (the web app's
 * wizard and settings page, the CLI, tests).
 */
import { z } from 'zod';
import { ArchiveMetaSchema, ArchiveWarningSchema } from '@evidence-locker/core';

export const RestoreJobResultSchema = z.object({
  /** Data files restored, in archive order. */
  restoredFiles: z.array(z.string()),
  /** Data files removed because the archive did not carry them (they are in the pre-restore backup). */
  removedFiles: z.array(z.string()),
  /** DOCSight's is_configured() on the restored config: false means the setup wizard continues. */
  configured: z.boolean(),
  /**
   * The restored config has an admin password: every client, the one that ran the restore
   * included, must log in with that password (a restore logs everyone out).
   */
  needsLogin: z.boolean(),
  /** The backup of what the instance held before, in the backup directory; null when it held nothing. */
  preRestoreBackup: z.object({ fileName: z.string(), size: z.number() }).nullable(),
  /** What the user should know: a skipped member, a newer format, demo mode turned off (code, English message, details). */
  warnings: z.array(ArchiveWarningSchema),
  meta: ArchiveMetaSchema,
  /**
   * A restore from a target (restore.start with `target` or `offsite`): that target in the restored
   * config, so the restored instance keeps sending copies there. `added` is false when the restored
   * config already held a target with its address (`id`/`name` are then that one's), or when it
   * could not be added (`problem` says why; the restore itself stands).
   */
  offsiteTarget: z.object({ id: z.string().nullable(), name: z.string(), added: z.boolean(), problem: z.string().nullable() }).optional(),
});
export type RestoreJobResult = z.infer<typeof RestoreJobResultSchema>;
