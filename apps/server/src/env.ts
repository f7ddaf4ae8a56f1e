/**
 * The server's configuration from the environment. This is the only module that reads
 * `process.env`; it parses once at start and fails with a message naming the variable, so a typo in
 * a compose file stops the start instead of silently falling back to a default.
 */
import path from 'node:path';
import { z } from 'zod';
import { canonicalHostName } from './auth/host-refusal.ts';

/** pino's level names, plus `silent` to turn logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

export const EnvSchema = z.object({
  /** Absolute data directory (DOCSight's DATA_DIR). Default `./data` from the working directory. */
  dataDir: z.string(),
  /** Absolute default backup directory (`backup_path` when none is saved). Default `./backups`. */
  backupDir: z.string(),
  /** Interface to listen on. Default 127.0.0.1 (only this machine). */
  host: z.string(),
  /** TCP port. Default 8765 (DOCSight's). */
  port: z.number().int().min(1).max(65535),
  /** Directories the backup-path picker and setting may use (real paths). Default [backupDir, dataDir]. */
  browseRoots: z.array(z.string()).min(1),
  /** DEMO_MODE: forces demo mode on or off; undefined when not set (config.json decides). */
  demoMode: z.boolean().optional(),
  /** pino level. Default info. */
  logLevel: z.enum(LOG_LEVELS),
  /**
   * SCHEDULE_START_DELAY_SECONDS: how long an overdue scheduled backup waits after start or a
   * settings change, in ms; undefined when not set (the scheduler's 60 s).
   */
  scheduleStartDelayMs: z.number().int().nonnegative().optional(),
  /**
   * ALLOWED_HOSTS: host names (canonical, no port) the server answers to besides localhost, the
   * loopback and the machine's own addresses (auth/host-refusal.ts); `*` for any. Undefined or
   * empty: only those.
   */
  allowedHosts: z.array(z.string()).optional(),
});
export type Env = z.infer<typeof EnvSchema>;

/** A bad environment value; the message names the variable and quotes what was given. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses the server's environment variables (DATA_DIR, BACKUP_DIR, HOST, PORT, BROWSE_ROOTS,
 * DEMO_MODE, LOG_LEVEL, SCHEDULE_START_DELAY_SECONDS, ALLOWED_HOSTS) from `source` (default `process.env`).
 * Relative directories resolve against `cwd` (default `process.cwd()`). Throws EnvError naming the
 * first bad variable.
 */
export function loadEnv(source: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): Env {
  const value = (name: string): string | undefined => {
    const raw = source[name];
    // An empty variable (`PORT=` in a compose file) means "not set", as most shells treat it.
    return raw === undefined || raw.trim() === '' ? undefined : raw;
  };
  const dataDir = path.resolve(cwd, value('DATA_DIR') ?? './data');
  const backupDir = path.resolve(cwd, value('BACKUP_DIR') ?? './backups');
  const env: Env = {
    dataDir,
    backupDir,
    host: value('HOST')?.trim() ?? '127.0.0.1',
    port: parsePort(value('PORT')),
    browseRoots: parseBrowseRoots(value('BROWSE_ROOTS')) ?? [backupDir, dataDir],
    demoMode: parseFlag('DEMO_MODE', value('DEMO_MODE')),
    logLevel: parseLogLevel(value('LOG_LEVEL')),
    scheduleStartDelayMs: parseSeconds('SCHEDULE_START_DELAY_SECONDS', value('SCHEDULE_START_DELAY_SECONDS')),
    allowedHosts: parseAllowedHosts(value('ALLOWED_HOSTS')),
  };
  return EnvSchema.parse(env);
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return 8765;
  const text = raw.trim();
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new EnvError('PORT', `PORT must be an integer from 1 to 65535 (got ${JSON.stringify(raw)})`);
  }
  return port;
}

/** A whole number of seconds from 0 to a day, as milliseconds. */
function parseSeconds(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds > 86_400) {
    throw new EnvError(name, `${name} must be a whole number of seconds from 0 to 86400 (got ${JSON.stringify(raw)})`);
  }
  return seconds * 1000;
}

function parseBrowseRoots(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const roots = raw.split(':').filter((part) => part !== '');
  const relative = roots.find((root) => !path.isAbsolute(root));
  if (roots.length === 0 || relative !== undefined) {
    throw new EnvError('BROWSE_ROOTS', `BROWSE_ROOTS must be absolute directories separated by ":" (got ${JSON.stringify(raw)})`);
  }
  return roots.map((root) => path.resolve(root));
}

/** Comma- or space-separated host names or addresses without ports, or `*`. */
function parseAllowedHosts(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const hosts: string[] = [];
  for (const entry of raw.split(/[\s,]+/).filter((part) => part !== '')) {
    const host = entry === '*' ? '*' : canonicalHostName(entry);
    if (host === null) {
      throw new EnvError(
        'ALLOWED_HOSTS',
        `ALLOWED_HOSTS must list host names or addresses without a port or scheme, separated by commas, or * (got ${JSON.stringify(entry)} in ${JSON.stringify(raw)})`,
      );
    }
    if (!hosts.includes(host)) hosts.push(host);
  }
  return hosts;
}

function parseFlag(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new EnvError(name, `${name} must be one of true/false, 1/0, yes/no, on/off (got ${JSON.stringify(raw)})`);
}

function parseLogLevel(raw: string | undefined): LogLevel {
  if (raw === undefined) return 'info';
  const level = raw.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new EnvError('LOG_LEVEL', `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(raw)})`);
  }
  return level as LogLevel;
}
