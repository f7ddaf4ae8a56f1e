/**
 * The "Configuration" line of an archive's preview (ArchiveSummary), from what the server says a
 * restore of it gives (`restoredConfig`, by the rule the restore itself applies), so the preview
 * never promises a configured modem the restored instance does not have.
 */
import type { UploadedArchive } from '../api/server-types.ts';

/** What restoring an archive's config.json gives; null without one. */
export type RestoredConfig = UploadedArchive['restoredConfig'];

/** Catalog key of the line for an archive with (`hasConfig`) or without a config.json. */
export function archiveConfigLineKey(hasConfig: boolean, restoredConfig: RestoredConfig | undefined): string {
  if (!hasConfig) return 'restore.configNo';
  // No verdict from the server (an archive that was not prepared): only "it is there" is known.
  if (restoredConfig === undefined || restoredConfig === null) return 'restore.configIncluded';
  if (restoredConfig.leavesDemoMode) return 'restore.configDemoNoModem';
  if (!restoredConfig.configured) return 'restore.configNoModem';
  if (!restoredConfig.modem) return 'restore.configNoModemType';
  return 'restore.configYes';
}
