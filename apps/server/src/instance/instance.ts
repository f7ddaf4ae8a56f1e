/**
 * The running instance: its directories, the two open databases, config.json and the key files,
 * as one object the server's procedures read. Opening it does what DOCSight does at start (create
 * the data directory, open and migrate both databases, create missing key files) plus what DOCSight
 * never does: remove work files a crashed run left behind. `reload()` re-reads everything from disk
 * (after a restore, so a restored `.config_key` decrypts at once) and re-opens the databases so
 * their migrations run again (docs/docsight-compatibility.md, D10 and D16). It also says whose
 * session cookie is valid: signed with the current session key and admin password, and not logged
 * out (auth/ended-sessions.ts).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  CONNECTION_MONITOR_DB,
  HISTORY_DB,
  isDemoMode,
  LockerError,
  modifyConfig,
  openConnectionMonitorDatabase,
  openHistoryDatabase,
  openWorkDir,
  readConfig,
  readConfigKey,
  recoverInterruptedRestore,
  type ConfigChange,
  type ConfigProblem,
  type ConfigRecord,
  type FernetKey,
  type JsonValue,
  type WorkDirReport,
} from '@evidence-locker/core';
import { EndedSessions } from '../auth/ended-sessions.ts';
import { readSessionToken, type SessionClaims } from '../auth/session-token.ts';
import { checkBackupPathBounds } from '../settings/check-backup-path.ts';
import { adminPasswordRepr } from './admin-password.ts';
import { DashboardCounter, type DashboardCounts } from './dashboard-counts.ts';
import { rotateSessionKey, syncSessionKey } from './session-key.ts';

type Connection = ReturnType<typeof openHistoryDatabase>;

/** The log calls the instance makes (Fastify's pino logger fits). */
export interface InstanceLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Options of {@link openInstance}. */
export interface InstanceOptions {
  /** Absolute data directory; created when missing. */
  dataDir: string;
  /** Absolute default backup directory (used when config.json has no backup_path). */
  backupDir: string;
  /** Directories a backup path may lie in. */
  browseRoots: readonly string[];
  /** DEMO_MODE from the environment: forces demo mode on or off; undefined = config.json decides. */
  demoModeOverride?: boolean | undefined;
  log?: InstanceLog;
}

/** What config.json and the key files say right now. */
export interface InstanceSnapshot {
  /** config.json as saved (`{}` when missing or unreadable). */
  config: ConfigRecord;
  configProblem: ConfigProblem | null;
  /** `.config_key`, null when the file does not exist. */
  configKey: FernetKey | null;
  /** `.session_key`, the cookie-signing key. */
  sessionKey: Buffer;
  /** The stored admin password value; "" when none is set (everything open). */
  adminPasswordRepr: string;
  /**
   * Where backups go: config.json's backup_path when it keeps to the backup-path rule
   * (settings/check-backup-path.ts), else BACKUP_DIR.
   */
  backupPath: string;
  /** Why config.json's backup_path is not used (outside BROWSE_ROOTS, the data directory, …); null when it is. */
  backupPathRefused: BackupPathRefusal | null;
  /** Effective demo mode (DEMO_MODE wins over config.json). */
  demoMode: boolean;
  /** DOCSight's is_configured with the effective demo mode. */
  configured: boolean;
}

/** A backup_path from config.json that the instance does not use, and why. */
export interface BackupPathRefusal {
  /** The value in config.json. */
  path: string;
  /** PATH_NOT_ALLOWED (outside BROWSE_ROOTS), BACKUP_PATH_IN_DATA_DIR or INVALID_ARGUMENT. */
  code: string;
  /** Why, in English (the rule's message). */
  message: string;
}

const silentLog: InstanceLog = { info: () => undefined, warn: () => undefined };
const RESTORE_FINISHED = 'Finished a restore that was interrupted while publishing';

export class Instance {
  readonly dataDir: string;
  readonly backupDir: string;
  readonly browseRoots: readonly string[];
  readonly demoModeOverride: boolean | undefined;
  /**
   * True once this server finished a restore that a crash had interrupted while it put its files
   * in place (at start, or when reloading): the instance then holds the restored backup. A page
   * that was following that restore's job says so (jobs.startup).
   */
  interruptedRestoreFinished = false;
  readonly #log: InstanceLog;
  #snapshot: InstanceSnapshot | undefined;
  #history: Connection | undefined;
  #connectionMonitor: Connection | undefined;
  readonly #counter = new DashboardCounter();
  readonly #endedSessions: EndedSessions;
  #changes: Promise<void> = Promise.resolve();

  constructor(options: InstanceOptions) {
    this.dataDir = path.resolve(options.dataDir);
    this.backupDir = path.resolve(options.backupDir);
    this.browseRoots = options.browseRoots.map((root) => path.resolve(root));
    this.demoModeOverride = options.demoModeOverride;
    this.#log = options.log ?? silentLog;
    this.#endedSessions = new EndedSessions(this.dataDir);
  }

  /** The current config and keys; throws before {@link reload} has run once. */
  get snapshot(): InstanceSnapshot {
    if (!this.#snapshot) throw new Error('Instance not loaded');
    return this.#snapshot;
  }

  /** The open `docsis_history.db` (main thread: keep reads on it short). */
  get historyDb(): Connection {
    if (!this.#history) throw new Error('Instance databases are closed');
    return this.#history;
  }

  /** The open `connection_monitor.db`. */
  get connectionMonitorDb(): Connection {
    if (!this.#connectionMonitor) throw new Error('Instance databases are closed');
    return this.#connectionMonitor;
  }

  get historyPath(): string {
    return path.join(this.dataDir, HISTORY_DB);
  }

  get connectionMonitorPath(): string {
    return path.join(this.dataDir, CONNECTION_MONITOR_DB);
  }

  /**
   * Where backups go: the saved `backup_path` when it keeps to the backup-path rule, else the
   * BACKUP_DIR default (see {@link InstanceSnapshot.backupPathRefused}).
   */
  get backupPath(): string {
    return this.snapshot.backupPath;
  }

  /** True when an admin password is set, i.e. protected routes need a session. */
  get hasAdminPassword(): boolean {
    return this.snapshot.adminPasswordRepr !== '';
  }

  /**
   * Re-reads config.json, `.config_key`, `.session_key`/`.auth_state` (rotating the session key
   * when the fingerprint does not match) and re-opens and migrates both databases. First it
   * finishes a restore a crash interrupted while publishing, unless `recover` is false (another
   * live process works in the data dir, and the intent may be its own).
   */
  async reload({ recover = true }: { recover?: boolean } = {}): Promise<InstanceSnapshot> {
    this.#closeDatabases();
    // A restore interrupted while publishing is finished before any database is opened.
    const recovery = recover ? await recoverInterruptedRestore(this.dataDir) : { rolledForward: false };
    if (recovery.rolledForward) {
      this.#log.warn({}, RESTORE_FINISHED);
      this.interruptedRestoreFinished = true;
    }
    this.#snapshot = await this.#readSnapshot();
    if (!(await this.#endedSessions.load())) {
      this.#log.warn({}, 'The list of logged-out sessions could not be read; all sessions were logged out.');
      await this.#endAllSessions();
    }
    this.#history = openHistoryDatabase(this.historyPath);
    this.#connectionMonitor = openConnectionMonitorDatabase(this.connectionMonitorPath);
    return this.#snapshot;
  }

  /**
   * The session of `token` (an `el_session` cookie): issued with the current session key and admin
   * password, not expired and not logged out; null otherwise, and always null while no admin
   * password is set.
   */
  sessionOf(token: string | undefined): SessionClaims | null {
    const { sessionKey, adminPasswordRepr: repr } = this.snapshot;
    if (repr === '') return null;
    const session = readSessionToken(token, sessionKey, repr);
    return session !== null && !this.#endedSessions.has(session.id) ? session : null;
  }

  /** Logs out the session of `token` for good (nothing when it is not a valid session). */
  async endSession(token: string | undefined): Promise<void> {
    const session = this.sessionOf(token);
    if (session === null) return;
    // A full list ends every session instead, so it never grows without bound.
    if (!(await this.#endedSessions.end(session))) await this.endAllSessions();
  }

  /**
   * Logs out every session: a new `.session_key` with a matching `.auth_state` (DOCSight's rotate,
   * which a restore does too), so no cookie issued before is valid any more.
   */
  endAllSessions(): Promise<void> {
    return this.#oneAtATime(() => this.#endAllSessions());
  }

  async #endAllSessions(): Promise<void> {
    const sessionKey = await rotateSessionKey(this.dataDir, this.snapshot.adminPasswordRepr);
    this.#snapshot = { ...this.snapshot, sessionKey };
    await this.#endedSessions.clear();
  }

  /**
   * Runs config and key-file changes one after the other: a config save whose snapshot read the key
   * files just before a rotation must not put the old session key back in memory after it.
   */
  #oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#changes.then(work);
    this.#changes = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Saves `patch` into config.json the way DOCSight's save() does (secrets encrypted, admin
   * password hashed) and re-reads config and keys. Databases stay open.
   */
  updateConfig(patch: Record<string, JsonValue>): Promise<InstanceSnapshot> {
    return this.modifyConfig(() => patch);
  }

  /**
   * Saves what `change` makes of config.json as it is on disk now, read under core's config lock
   * (never of this snapshot: a CLI command may have saved since), and re-reads config and keys.
   * `change` returning null saves nothing; throwing saves nothing and reaches the caller.
   */
  modifyConfig(change: ConfigChange): Promise<InstanceSnapshot> {
    return this.#oneAtATime(async () => {
      await modifyConfig(this.dataDir, change);
      this.#snapshot = await this.#readSnapshot();
      return this.#snapshot;
    });
  }

  /** Row counts of both databases and the snapshot range, read in a worker thread. */
  readDashboardCounts(): Promise<DashboardCounts> {
    return this.#counter.read({ historyPath: this.historyPath, connectionMonitorPath: this.connectionMonitorPath });
  }

  /**
   * Closes both database handles, so a restore or demo seeding can replace the files; other reads
   * fail until {@link reload} opens them again. Config and keys stay readable.
   */
  releaseDatabases(): void {
    this.#closeDatabases();
  }

  /**
   * Releases the database handles and stops the counting worker (before a restore replaces the
   * files, and at shutdown). {@link reload} opens them again.
   */
  async close(): Promise<void> {
    this.#closeDatabases();
    await this.#counter.close();
  }

  async #readSnapshot(): Promise<InstanceSnapshot> {
    const { config, problem } = await readConfig(this.dataDir);
    if (problem) this.#log.warn({ problem: problem.kind }, problem.message);
    const configKey = await readConfigKey(this.dataDir);
    const repr = adminPasswordRepr(config, configKey);
    const { sessionKey, rotated } = await syncSessionKey(this.dataDir, repr);
    if (rotated) {
      this.#log.warn({}, 'The admin password changed outside this server; all sessions were logged out.');
    }
    const demoMode = this.demoModeOverride ?? isDemoMode(config);
    const { backupPath, backupPathRefused } = await this.#checkBackupPath(config);
    return {
      config,
      configProblem: problem,
      configKey,
      sessionKey,
      adminPasswordRepr: repr,
      backupPath,
      backupPathRefused,
      demoMode,
      configured: demoMode || Object.hasOwn(config, 'modem_type'),
    };
  }

  /**
   * config.json's backup_path under the same rule as the settings form, except that a missing
   * directory is kept (usually a volume not mounted yet; the backup reports it). A path out of
   * bounds, as a hand-edited or restored config may hold, is not used: backups go to BACKUP_DIR and
   * the refusal is kept for the settings page and logged once.
   */
  async #checkBackupPath(config: ConfigRecord): Promise<Pick<InstanceSnapshot, 'backupPath' | 'backupPathRefused'>> {
    const saved = config['backup_path'];
    if (typeof saved !== 'string' || saved === '') return { backupPath: this.backupDir, backupPathRefused: null };
    try {
      await checkBackupPathBounds(saved, { dataDir: this.dataDir, browseRoots: this.browseRoots });
      return { backupPath: saved, backupPathRefused: null };
    } catch (error) {
      if (!(error instanceof LockerError)) throw error;
      const refused: BackupPathRefusal = { path: saved, code: error.code, message: error.message };
      if (this.#snapshot?.backupPathRefused?.path !== saved) {
        this.#log.warn(
          { path: saved, code: error.code, fallback: this.backupDir },
          `The backup path in config.json is not used: ${error.message} Backups go to ${this.backupDir} until another path is saved in the settings.`,
        );
      }
      return { backupPath: this.backupDir, backupPathRefused: refused };
    }
  }

  #closeDatabases(): void {
    this.#history?.close();
    this.#connectionMonitor?.close();
    this.#history = undefined;
    this.#connectionMonitor = undefined;
  }
}

/**
 * Opens the instance at start: creates the data and default backup directories, opens both with
 * core's openWorkDir (an interrupted restore finished, crash leftovers removed), reads config and
 * keys, and opens and migrates both databases. A directory another live Evidence Locker process
 * holds a lease on (a CLI backup or restore that runs while the server starts) is left as it is,
 * as a CLI command leaves it: its work files, and a restore intent in the data dir, are that
 * process's and in use.
 */
export async function openInstance(options: InstanceOptions): Promise<Instance> {
  const instance = new Instance(options);
  const log = options.log ?? silentLog;
  await mkdir(instance.dataDir, { recursive: true });
  // BACKUP_DIR is the server's own default location (./backups out of the box), so it is made like
  // the data directory. A backup_path chosen in the settings is never created: a missing one is
  // usually an unmounted volume, and backups written there would vanish.
  await mkdir(instance.backupDir, { recursive: true });
  // The data directory before anything reads it; openWorkDir has finished an interrupted restore.
  const dataDir = await openWorkDir(instance.dataDir, { dataDir: true });
  // The server writes its key files and databases here: a data dir it cannot clean up fails the start.
  if (dataDir.state === 'read-only' || dataDir.state === 'unreachable') throw dataDir.cause;
  logWorkDir(dataDir, log);
  if (dataDir.state === 'opened' && dataDir.restoreFinished) instance.interruptedRestoreFinished = true;
  await instance.reload({ recover: false });
  // The backup directory is known once config.json is read.
  try {
    const backupDir = await openWorkDir(instance.backupPath);
    if (backupDir.state === 'read-only' || backupDir.state === 'unreachable') throw backupDir.cause;
    logWorkDir(backupDir, log);
  } catch (error) {
    // An unreachable backup directory (NAS offline) must not stop the server; backups report it.
    log.warn({ dir: instance.backupPath, err: error }, 'Could not check the backup directory for leftover work files');
  }
  return instance;
}

/** Logs what openWorkDir did in `report.dir`. */
function logWorkDir(report: WorkDirReport, log: InstanceLog): void {
  const { dir } = report;
  if (report.state === 'in-use') {
    log.warn({ dir, holders: report.holders }, 'Another Evidence Locker process works in this directory; its work files are left alone');
  }
  if (report.state !== 'opened') return;
  if (report.restoreFinished) log.warn({}, RESTORE_FINISHED);
  if (report.removed.length > 0) log.info({ dir, removed: report.removed }, 'Removed work files left by a crash');
  for (const failure of report.failed) log.warn({ dir, ...failure }, 'Could not remove a leftover work file');
}
