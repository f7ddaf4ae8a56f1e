/**
 * The DOCSight data directory: which files make an instance, and the names of the work files this
 * engine creates inside it. Every work file starts with `.evidence-locker-` so one sweep can find
 * what a crashed run left behind without ever touching a user's file.
 */
export const HISTORY_DB = 'docsis_history.db';
export const CONNECTION_MONITOR_DB = 'connection_monitor.db';
export const CONFIG_FILE = 'config.json';
export const CONFIG_KEY_FILE = '.config_key';
export const SESSION_KEY_FILE = '.session_key';
export const AUTH_STATE_FILE = '.auth_state';
export const META_FILE = 'backup_meta.json';

/** DOCSight's `DATA_FILES`, in its order: the members a backup may carry besides the meta. */
export const DATA_FILES = [HISTORY_DB, CONNECTION_MONITOR_DB, CONFIG_FILE, CONFIG_KEY_FILE, SESSION_KEY_FILE, AUTH_STATE_FILE] as const;
export type DataFileName = (typeof DATA_FILES)[number];

export const DATABASE_FILES = [HISTORY_DB, CONNECTION_MONITOR_DB] as const;
export type DatabaseFileName = (typeof DATABASE_FILES)[number];

/** Prefix of every work file or directory the engine creates (in the data or backup directory). */
export const WORK_PREFIX = '.evidence-locker-';

/**
 * Prefix of a restore's staged members, its intent file and the intent's temp file: a restore's
 * crash recovery (archive/restore/recover-interrupted-restore.ts) finds them all by it.
 */
export const RESTORE_PREFIX = `${WORK_PREFIX}restore-`;

/**
 * Prefix of the staged members of a prepared upload (archive/restore/prepare-restore.ts): left
 * alone by a restore's recovery, swept at start-up like every work file, except the ones an
 * interrupted restore's intent still names.
 */
export const PREPARED_PREFIX = `${WORK_PREFIX}prepared-`;

/** Written once every staged file is verified; its presence means "roll this restore forward". */
export const RESTORE_INTENT_FILE = `${RESTORE_PREFIX}intent.json`;

/**
 * Prefix of a live process's lease on a data or backup directory (work-dir/work-dir-lease.ts):
 * `.evidence-locker.lease.<host>.<pid>.<start>`, outside WORK_PREFIX, so a sweep never takes it.
 */
export const LEASE_PREFIX = '.evidence-locker.lease.';

/**
 * The lock directory around a read-modify-write of config.json (config/config-lock.ts): outside
 * WORK_PREFIX, so a sweep never takes a lock a live process holds, and outside DATA_FILES, so no
 * backup carries it.
 */
export const CONFIG_LOCK_DIR = '.evidence-locker.config-lock';

/** The same for the offsite targets' records (targets/target-state.ts), which the server's and the CLI's pushes both write. */
export const TARGETS_STATE_LOCK_DIR = '.evidence-locker.targets-state-lock';

/**
 * Which backups in a backup directory were verified, and how it went (the server's backup list
 * keeps it there, beside the files it speaks of, so it survives a restart). A dot-file outside
 * WORK_PREFIX, so a sweep never takes it; its atomic write's temp file starts with WORK_PREFIX, so
 * one a crash left behind is swept. Neither this engine's listing nor DOCSight's
 * (`docsight_backup_*.tar.gz`) takes it for a backup, so it is never listed or pruned.
 */
export const BACKUP_VERIFICATIONS_FILE = '.evidence-locker.verifications.json';

export function isDataFileName(name: string): name is DataFileName {
  return (DATA_FILES as readonly string[]).includes(name);
}

export function isDatabaseFileName(name: string): name is DatabaseFileName {
  return (DATABASE_FILES as readonly string[]).includes(name);
}
