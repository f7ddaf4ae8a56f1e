/**
 * What a restore makes of an archive's `config.json`, decided once: the restore applies it
 * (archive/restore/restore-data-dir.ts) and every preview of an archive describes it
 * (archive/read/validate-archive.ts, archive/restore/prepare-restore.ts), so what a user is shown
 * before a restore is what the restored instance then is.
 *
 * The one adjustment: a demo instance's config without a modem leaves demo mode. Such a backup
 * holds only the user's own rows (demo rows are never backed up, docs/docsight-compatibility.md
 * D8), so keeping `demo_mode` would show an empty demo and block the setup; without it the
 * instance is unconfigured and the setup continues with connecting the modem.
 */
import { z } from 'zod';
import type { ConfigRecord } from './config-schema.ts';
import { isConfigured, isDemoMode } from './config-state.ts';

/** What a restore of a config gives, in facts a preview can state. */
export const RestoredConfigSchema = z.object({
  /** DOCSight's is_configured() on the config the restore writes: false means the setup continues with the modem. */
  configured: z.boolean(),
  /** The config names a modem (`modem_type` saved and not empty). */
  modem: z.boolean(),
  /** The restore turns demo mode off (a demo instance's config without a modem). */
  leavesDemoMode: z.boolean(),
  /** The config holds an admin password: after the restore everyone logs in with it. */
  adminPassword: z.boolean(),
});
export type RestoredConfig = z.infer<typeof RestoredConfigSchema>;

/** The config a restore writes for the archive's `config`, and whether it left demo mode. */
export function configAfterRestore(config: ConfigRecord): { config: ConfigRecord; leftDemoMode: boolean } {
  if (isDemoMode(config) && !Object.hasOwn(config, 'modem_type')) {
    const { demo_mode: _demoMode, ...withoutDemo } = config;
    return { config: withoutDemo, leftDemoMode: true };
  }
  return { config, leftDemoMode: false };
}

/** The facts of restoring the archive's `config` (see {@link RestoredConfigSchema}). */
export function describeRestoredConfig(config: ConfigRecord): RestoredConfig {
  const after = configAfterRestore(config);
  const modemType = after.config['modem_type'];
  const adminPassword = after.config['admin_password'];
  return {
    configured: isConfigured(after.config),
    modem: typeof modemType === 'string' && modemType !== '',
    leavesDemoMode: after.leftDemoMode,
    adminPassword: typeof adminPassword === 'string' && adminPassword !== '',
  };
}
