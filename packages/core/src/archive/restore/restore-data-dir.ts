/**
 * A restore as a user means it: the archive becomes the instance, and nothing the user had is lost.
 *
 * Around the staged, verified, crash-safe `restoreBackup` this adds:
 * - a `pre-restore` backup of the current data directory, written to the backup directory after the
 *   archive has passed every check and before anything is published, whenever the data directory
 *   holds something (a config, or any row in a user table). Pruning never deletes it, so a restore
 *   can always be undone by restoring that backup;
 * - a fresh session key, with the `.auth_state` fingerprint of the restored admin password: a
 *   restore logs everyone out, and cookies minted by the instance the archive came from (whose key
 *   a DOCSight archive carries) are never valid here. Both are staged and published in the same
 *   commit as the archive's files, so not even a crash mid-publish leaves the archive's key live;
 * - leaving demo mode when the archive came from a demo instance without a modem
 *   (config/restored-config.ts, the rule every preview of the restore describes too): the instance
 *   is then unconfigured and the setup continues into connecting the modem, with the user's rows
 *   kept. The adjusted `config.json` is staged and published with the rest too;
 * - proof that the restored instance starts: after publishing and migrating, the key, the
 *   config's shape and its secrets are checked again (check-instance-files.ts, which the archive
 *   already passed before anything changed). Should the instance still not come up, the restore is
 *   undone (Immich's restore point): the pre-restore backup is restored, or an empty data directory
 *   emptied again, and the restore fails with RESTORE_ROLLED_BACK.
 */
import type { OpenKey, SealKey } from '../../seal/seal-key.ts';
import { sealExpectationOf } from '../../seal/sealed-input.ts';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { ConfigRecord } from '../../config/config-schema.ts';
import { isConfigured } from '../../config/config-state.ts';
import { configAfterRestore } from '../../config/restored-config.ts';
import { computeAuthState, SESSION_KEY_LENGTH } from '../../config/key-files.ts';
import { LockerError } from '../../errors.ts';
import {
  AUTH_STATE_FILE,
  CONFIG_FILE,
  CONFIG_KEY_FILE,
  DATABASE_FILES,
  isDatabaseFileName,
  type DataFileName,
  SESSION_KEY_FILE,
  type DatabaseFileName,
} from '../../data-dir-layout.ts';
import { toPythonJson } from '../../python-json.ts';
import { archiveWarning } from '../format/archive-warning.ts';
import { readStagedConfig } from './read-staged-config.ts';
import { recoverInterruptedRestore } from './recover-interrupted-restore.ts';
import { backupSpaceNeeds, liveDatabaseBytes } from '../create/backup-space-needs.ts';
import { createBackup, type CreateBackupResult } from '../create/create-backup.ts';
import {
  migrateRestoredDatabases,
  restoreBackup,
  type PublishStaging,
  type RestoreBackupOptions,
  type RestoreResult,
} from './restore-backup.ts';
import { checkInstanceFiles, type InstanceFiles } from './check-instance-files.ts';
import { isFile, removeSqliteSidecars, unlinkIfPresent } from './restore-work-files.ts';
import { runSqliteTask } from '../../db/run-sqlite-task.ts';

export interface RestoreDataDirOptions extends RestoreBackupOptions {
  /** Where the `pre-restore` backup goes. */
  backupDir: string;
  /** Called once the pre-restore backup is written. */
  onPreRestoreBackup?: (backup: CreateBackupResult) => void;
  /**
   * Seal the pre-restore backup like the backup directory's others: `seal` seals it, `open` opens
   * it again should the restored instance fail to start (the roll-back reads it).
   */
  preRestoreSeal?: { seal: SealKey; open: OpenKey } | undefined;
}

export interface RestoreDataDirResult extends RestoreResult {
  /** The backup of what the data directory held before, or null when it held nothing. */
  preRestoreBackup: Pick<CreateBackupResult, 'fileName' | 'path' | 'size'> | null;
}

/**
 * Whether `dataDir` holds anything worth a pre-restore backup. `databases`: where to read each
 * database instead of the data directory (copies taken while the live files are held).
 */
export async function dataDirHoldsData(dataDir: string, databases: Partial<Record<DatabaseFileName, string>> = {}): Promise<boolean> {
  if (await isFile(path.join(dataDir, CONFIG_FILE))) return true;
  for (const name of DATABASE_FILES) {
    const file = databases[name] ?? path.join(dataDir, name);
    if ((await isFile(file)) && (await runSqliteTask({ kind: 'holds_rows', path: file }))) return true;
  }
  return false;
}

/** Restores `source` into `dataDir`, with a pre-restore backup and a fresh session key (see above). */
export async function restoreDataDir(options: RestoreDataDirOptions): Promise<RestoreDataDirResult> {
  const { dataDir, backupDir } = options;
  let preRestoreBackup: RestoreDataDirResult['preRestoreBackup'] = null;
  let startFailure: { error: unknown } | undefined;
  let leftDemoMode = false;
  let configuredWithoutDemo = false;
  // Before the live databases are looked at: an interrupted restore is finished first.
  await recoverInterruptedRestore(dataDir);
  // The pre-restore backup, and the copies of the held databases it is made from.
  const preRestoreNeeds = (await dataDirHoldsData(dataDir))
    ? [...(await backupSpaceNeeds(dataDir, backupDir)), { dir: dataDir, bytes: await liveDatabaseBytes(dataDir) }]
    : [];
  const result = await restoreBackup({
    ...options,
    spaceNeeds: [...preRestoreNeeds, ...(options.spaceNeeds ?? [])],
    beforePublish: async (staging) => {
      const liveDatabases = await staging.liveDatabaseCopies();
      if (await dataDirHoldsData(dataDir, liveDatabases)) {
        const backup = await createBackup({
          dataDir,
          databaseSources: liveDatabases,
          destination: { kind: 'directory', backupDir },
          trigger: 'pre-restore',
          ...(options.signal ? { signal: options.signal } : {}),
          seal: options.preRestoreSeal?.seal,
        });
        preRestoreBackup = { fileName: backup.fileName, path: backup.path, size: backup.size };
        options.onPreRestoreBackup?.(backup);
      }
      // Published in the same commit as the archive's files, so a crash can never leave the
      // archive's session key live or a demo instance without its modem stuck in demo mode.
      const stagedConfig = staging.staged.get(CONFIG_FILE);
      // readStagedConfig returns parsed JSON, so it is a JSON object.
      const after = configAfterRestore((stagedConfig === undefined ? {} : await readStagedConfig(stagedConfig)) as ConfigRecord);
      const { config } = after;
      if (after.leftDemoMode) {
        leftDemoMode = true;
        configuredWithoutDemo = isConfigured(config);
        await staging.replace(CONFIG_FILE, toPythonJson(config));
      }
      await stageFreshSession(staging, config);
      await options.beforePublish?.(staging);
    },
    migrate: async (dir, restored) => {
      try {
        await (options.migrate ?? migrateRestoredDatabases)(dir, restored);
        await checkInstanceFiles(await liveInstanceFiles(dir));
      } catch (error) {
        startFailure = { error };
      }
    },
  });
  if (startFailure !== undefined) {
    await rollBack(dataDir, preRestoreBackup, result.restoredFiles, options.preRestoreSeal?.open);
    const reason = startFailure.error instanceof Error ? startFailure.error.message : String(startFailure.error);
    const before = preRestoreBackup === null ? 'empty again' : `restored from ${(preRestoreBackup as PreRestoreBackup).fileName}`;
    throw new LockerError(
      'RESTORE_ROLLED_BACK',
      `The restored instance could not start (${reason}), so the restore was undone: the data directory is ${before}.`,
      { cause: startFailure.error, details: { dataDir } },
    );
  }
  const warnings = [...result.warnings];
  if (leftDemoMode) {
    warnings.push(
      archiveWarning(
        'DEMO_MODE_LEFT',
        'The backup came from a demo instance without a modem: demo mode is now off; connect your modem to continue.',
      ),
    );
  }
  // The key files are always written anew, so they are neither "restored" nor "removed" for the user.
  const keyFiles: string[] = [SESSION_KEY_FILE, AUTH_STATE_FILE];
  const restoredFiles = result.restoredFiles.filter((name) => !keyFiles.includes(name));
  const removedFiles = result.removedFiles.filter((name) => !keyFiles.includes(name));
  const configured = leftDemoMode ? configuredWithoutDemo : result.configured;
  return { ...result, restoredFiles, removedFiles, warnings, configured, preRestoreBackup };
}

type PreRestoreBackup = NonNullable<RestoreDataDirResult['preRestoreBackup']>;

/**
 * A fresh session key and the `.auth_state` fingerprint of `config`'s admin password, published in
 * the same commit as the archive's files, so a crash can never leave another key live.
 */
async function stageFreshSession(staging: PublishStaging, config: ConfigRecord): Promise<void> {
  const sessionKey = randomBytes(SESSION_KEY_LENGTH);
  const adminPassword = typeof config['admin_password'] === 'string' ? config['admin_password'] : '';
  await staging.replace(SESSION_KEY_FILE, sessionKey);
  await staging.replace(AUTH_STATE_FILE, computeAuthState(sessionKey, adminPassword));
}

async function liveInstanceFiles(dataDir: string): Promise<InstanceFiles> {
  const configPath = path.join(dataDir, CONFIG_FILE);
  const configKeyPath = path.join(dataDir, CONFIG_KEY_FILE);
  return {
    configPath: (await isFile(configPath)) ? configPath : undefined,
    configKeyPath: (await isFile(configKeyPath)) ? configKeyPath : undefined,
  };
}

/**
 * Puts back what the data directory held before a restore whose result could not start (Immich's
 * restore point): the pre-restore backup is restored (with a fresh session again), or, when the
 * directory held nothing worth one, the restored files are removed.
 */
async function rollBack(
  dataDir: string,
  preRestoreBackup: PreRestoreBackup | null,
  restoredFiles: DataFileName[],
  openKey: OpenKey | undefined,
): Promise<void> {
  if (preRestoreBackup === null || preRestoreBackup.path === undefined) {
    for (const name of [...restoredFiles, SESSION_KEY_FILE, AUTH_STATE_FILE]) {
      if (isDatabaseFileName(name)) await removeSqliteSidecars(dataDir, name);
      await unlinkIfPresent(path.join(dataDir, name));
    }
    return;
  }
  await restoreBackup({
    source: createReadStream(preRestoreBackup.path),
    archivePath: preRestoreBackup.path,
    dataDir,
    seal: { key: openKey, expect: sealExpectationOf(preRestoreBackup.path) },
    beforePublish: async (staging) => {
      const stagedConfig = staging.staged.get(CONFIG_FILE);
      await stageFreshSession(staging, (stagedConfig === undefined ? {} : await readStagedConfig(stagedConfig)) as ConfigRecord);
    },
  });
}
