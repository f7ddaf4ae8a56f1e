/**
 * What a data directory holds, without changing anything in it: its files and sizes, whether the
 * instance is configured (DOCSight's rule), the schema version and the row counts per table of
 * both databases (with `is_demo` counts). Databases are opened read-only and not migrated.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { readConfig, type ConfigProblem } from '../config/config-file.ts';
import type { ConfigRecord } from '../config/config-schema.ts';
import { isBackupConfigured, isConfigured, isDemoMode } from '../config/config-state.ts';
import { openConnectionMonitorDatabase, openHistoryDatabase } from '../db/open-database.ts';
import { readSchemaInfo } from '../db/schema-version.ts';
import { withReadonlyDatabase } from '../db/with-readonly-database.ts';
import { countRowsDetailed, type TableCount } from '../db/table-counts.ts';
import { CONNECTION_MONITOR_DB, DATA_FILES, HISTORY_DB } from '../data-dir-layout.ts';
import { LockerError, errnoCode } from '../errors.ts';

export interface DataDirFile {
  name: string;
  size: number;
  /** Permission bits as an octal string, e.g. `0600`. */
  mode: string;
}

export interface DatabaseReport {
  name: string;
  schemaVersion: string | null;
  migrationIds: string[];
  tables: Record<string, TableCount>;
}

export interface DataDirReport {
  dataDir: string;
  exists: boolean;
  /** The instance's files (DOCSight's DATA_FILES) that exist, in DATA_FILES order. */
  files: DataDirFile[];
  configured: boolean;
  demoMode: boolean;
  backupConfigured: boolean;
  modemType: string | null;
  configProblem: ConfigProblem | null;
  databases: DatabaseReport[];
}

/** Inspects `dataDir` read-only. A missing directory is reported as empty, not as an error. */
export async function inspectDataDir(dataDir: string): Promise<DataDirReport> {
  const absolute = path.resolve(dataDir);
  const stat = await fs.stat(absolute).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  });
  if (stat && !stat.isDirectory()) {
    throw new LockerError('DATA_DIR_UNUSABLE', `Not a directory: ${absolute}`, { details: { path: absolute } });
  }
  const files: DataDirFile[] = [];
  if (stat) {
    for (const name of DATA_FILES) {
      const fileStat = await fs.lstat(path.join(absolute, name)).catch(() => null);
      if (fileStat?.isFile()) {
        files.push({ name, size: fileStat.size, mode: `0${(fileStat.mode & 0o777).toString(8)}` });
      }
    }
  }
  const { config, problem }: { config: ConfigRecord; problem: ConfigProblem | null } = stat
    ? await readConfig(absolute)
    : { config: {}, problem: null };
  const databases: DatabaseReport[] = [];
  for (const [name, open] of [
    [HISTORY_DB, openHistoryDatabase],
    [CONNECTION_MONITOR_DB, openConnectionMonitorDatabase],
  ] as const) {
    if (!files.some((file) => file.name === name)) continue;
    databases.push(
      withReadonlyDatabase(path.join(absolute, name), open, (db) => {
        const schema = readSchemaInfo(db);
        return { name, schemaVersion: schema.schemaVersion, migrationIds: schema.migrationIds, tables: countRowsDetailed(db) };
      }),
    );
  }
  const modemType = config['modem_type'];
  return {
    dataDir: absolute,
    exists: stat !== null,
    files,
    configured: isConfigured(config),
    demoMode: isDemoMode(config),
    backupConfigured: isBackupConfigured(config),
    modemType: typeof modemType === 'string' ? modemType : null,
    configProblem: problem,
    databases,
  };
}
