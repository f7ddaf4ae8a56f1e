/**
 * Reading and writing `config.json` as DOCSight does: one flat object, written as Python's
 * `json.dump(obj, f, indent=2)` text with key order kept and mode 0600. Unlike DOCSight the write
 * is atomic, and a file that cannot be read is reported instead of silently treated as empty.
 *
 * Every save is a read-modify-write ({@link modifyConfig}): one at a time within a process (an
 * in-memory queue per file) and across processes (config-lock.ts: the server and the CLI work on
 * the same data directory), and the change is computed from the config as read under the lock, so
 * a save another process made in between is never dropped.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_FILE } from '../data-dir-layout.ts';
import { LockerError, errnoCode } from '../errors.ts';
import { toPythonJson } from '../python-json.ts';
import { withConfigLock, type ConfigLease, type ConfigLockOptions } from './config-lock.ts';
import { BOOL_KEYS, ENCRYPTED_KEYS, HASH_KEYS, INT_KEYS, PASSWORD_MASK, PRIVATE_KEYS, SECRET_KEYS } from './config-keys.ts';
import { ConfigSchema, type ConfigRecord, type JsonValue } from './config-schema.ts';
import { fernetEncrypt } from './fernet.ts';
import { loadOrCreateConfigKey } from './key-files.ts';
import { hashPassword, isPasswordHash } from './password-hash.ts';
import { pythonInt } from './python-int.ts';
import { pythonTruthy } from './python-truthy.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

/**
 * Why a config.json is not a clean config object. For `unreadable`, `unparsable` and
 * `not-an-object` the config reads as {} (DOCSight's fallback: the instance looks unconfigured);
 * for `unexpected-types` the object is used as it is, since DOCSight does not check types.
 */
export type ConfigProblem =
  | { kind: 'unreadable' | 'unparsable' | 'not-an-object'; message: string }
  | { kind: 'unexpected-types'; message: string; issues: string[] };

/** Result of {@link readConfig}. */
export interface ConfigReadResult {
  /** What DOCSight would work with. */
  config: ConfigRecord;
  /** False when config.json does not exist (not a problem: a fresh instance). */
  exists: boolean;
  problem: ConfigProblem | null;
}

/** Options of {@link updateConfig} and {@link modifyConfig}. */
export interface UpdateConfigOptions extends ConfigLockOptions {
  /**
   * Overwrite a config.json that cannot be read or parsed, as DOCSight's save() would (losing what
   * was in it). Default false: throw CONFIG_INVALID instead.
   */
  replaceInvalid?: boolean;
}

const TRUE_STRINGS = ['true', '1', 'yes', 'on'];
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/**
 * One update at a time per file within this process (the cross-process lock is taken inside it: a
 * process never waits for its own lock).
 */
const updateQueues = new Map<string, Promise<unknown>>();
/** The config files the current async context holds (holdConfig), to refuse a nested save at once. */
const heldConfigs = new AsyncLocalStorage<readonly string[]>();

/** Path of `config.json` in a data directory. */
export function configPath(dataDir: string): string {
  return path.join(dataDir, CONFIG_FILE);
}

/** Reads `config.json`; never throws for file content, see {@link ConfigProblem}. */
export async function readConfig(dataDir: string): Promise<ConfigReadResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(configPath(dataDir));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { config: {}, exists: false, problem: null };
    const reason = errnoCode(error) ?? String(error);
    return fallback('unreadable', `config.json cannot be read (${reason}).`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(strictUtf8.decode(bytes));
  } catch {
    // The parser's message quotes file content, which may include a plaintext secret.
    return fallback('unparsable', 'config.json is not valid JSON (or not UTF-8).');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fallback('not-an-object', 'config.json does not hold a JSON object.');
  }
  const config = parsed as ConfigRecord;
  const checked = ConfigSchema.safeParse(config);
  if (!checked.success) {
    const issues = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    return {
      config,
      exists: true,
      problem: {
        kind: 'unexpected-types',
        message: `config.json has values of unexpected type (${issues.join('; ')}).`,
        issues,
      },
    };
  }
  return { config, exists: true, problem: null };
}

/** Writes `config` as DOCSight's json.dump text, atomically, mode 0600. */
export async function writeConfig(dataDir: string, config: ConfigRecord): Promise<void> {
  await writeFileAtomic(configPath(dataDir), toPythonJson(config), { mode: 0o600 });
}

/** A change of config.json: the keys to save, as {@link updateConfig} takes them. */
export type ConfigPatch = Record<string, JsonValue>;

/**
 * What a save computes from the config as it is on disk at that moment: the patch to save, or null
 * to save nothing. It may throw (nothing is saved then, and the error reaches the caller).
 */
export type ConfigChange = (current: ConfigRecord) => ConfigPatch | null | Promise<ConfigPatch | null>;

/**
 * DOCSight's `save(patch)` with `patch` computed by `change` from config.json as read while this
 * process holds the config lock (config-lock.ts), so a list read, changed and saved back (targets,
 * alert channels, seal keys) never drops what another process or request saved meanwhile. Waits at
 * most `lockWaitMs` for another process (CONFIG_LOCKED). A config.json that cannot be read or
 * parsed is CONFIG_INVALID before `change` runs, unless `replaceInvalid` (then `change` sees {}).
 * Returns the saved config (the one read, when `change` returns null).
 */
export async function modifyConfig(dataDir: string, change: ConfigChange, options: UpdateConfigOptions = {}): Promise<ConfigRecord> {
  return holdConfig(dataDir, (lease) => applyChange(dataDir, change, options, lease), options);
}

/**
 * Runs `work` while no other save of `dataDir`'s config.json can run: not in this process (its
 * queue) nor in another Evidence Locker process (the config lock). A restore publishes under it,
 * so a save that read config.json before the restore cannot write the old settings back over the
 * restored ones. `work` must not save config.json itself: that would wait for itself, so it
 * throws at once.
 */
export async function holdConfig<T>(
  dataDir: string,
  work: (lease: ConfigLease) => Promise<T>,
  options: ConfigLockOptions = {},
): Promise<T> {
  const file = path.resolve(configPath(dataDir));
  const holding = heldConfigs.getStore() ?? [];
  if (holding.includes(file)) {
    // It would wait for itself forever (the queue's tail is the outer save): a bug, said at once.
    throw new Error(`config.json of ${path.dirname(file)} is saved from inside a save of it, which would wait for itself.`);
  }
  const previous = updateQueues.get(file) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(() => withConfigLock(dataDir, (lease) => heldConfigs.run([...holding, file], () => work(lease)), options));
  updateQueues.set(file, run);
  try {
    return await run;
  } finally {
    if (updateQueues.get(file) === run) updateQueues.delete(file);
  }
}

/**
 * DOCSight's `save(patch)`: drops masked secrets, hashes `admin_password` unless it is already a
 * werkzeug hash, Fernet-encrypts non-empty secret and private values with `.config_key` (created
 * if missing), merges (existing keys keep their place, new ones are appended), casts INT_KEYS with
 * Python's int() and BOOL_KEYS to booleans, then writes atomically. Returns the saved config.
 * {@link modifyConfig} with a fixed patch: under the same lock.
 */
export function updateConfig(dataDir: string, patch: ConfigPatch, options: UpdateConfigOptions = {}): Promise<ConfigRecord> {
  return modifyConfig(dataDir, () => patch, options);
}

async function applyChange(dataDir: string, change: ConfigChange, options: UpdateConfigOptions, lease: ConfigLease): Promise<ConfigRecord> {
  const current = await readConfig(dataDir);
  if (current.problem && current.problem.kind !== 'unexpected-types' && !options.replaceInvalid) {
    throw new LockerError('CONFIG_INVALID', `${current.problem.message} Not overwriting it.`, {
      details: { path: configPath(dataDir), problem: current.problem.kind },
    });
  }
  const patch = await change(current.config);
  if (patch === null) return current.config;
  const incoming = new Map(Object.entries(patch));
  for (const [key, value] of incoming) {
    const masked = SECRET_KEYS.has(key) || PRIVATE_KEYS.has(key) || HASH_KEYS.has(key);
    if (masked && value === PASSWORD_MASK) incoming.delete(key);
  }
  for (const [key, value] of incoming) {
    if (!HASH_KEYS.has(key) || !pythonTruthy(value)) continue;
    const text = requireString(key, value);
    if (!isPasswordHash(text)) incoming.set(key, await hashPassword(text));
  }
  const toEncrypt = [...incoming].filter(([name, value]) => ENCRYPTED_KEYS.has(name) && pythonTruthy(value));
  if (toEncrypt.length > 0) {
    const key = await loadOrCreateConfigKey(dataDir);
    for (const [name, value] of toEncrypt) {
      incoming.set(name, fernetEncrypt(key, requireString(name, value)));
    }
  }
  // Map.set keeps an existing key's position, like dict.update.
  const merged = new Map(Object.entries(current.config));
  for (const [key, value] of incoming) merged.set(key, value);
  for (const [key, value] of merged) {
    if (INT_KEYS.has(key)) {
      const cast = pythonInt(value);
      if (cast !== undefined) merged.set(key, cast);
    } else if (BOOL_KEYS.has(key)) {
      const flag = typeof value === 'string' ? TRUE_STRINGS.includes(value.toLowerCase()) : pythonTruthy(value);
      merged.set(key, flag);
    }
  }
  // fromEntries defines own properties, so a "__proto__" key stays data instead of a prototype.
  const config: ConfigRecord = Object.fromEntries(merged);
  lease.assertHeld();
  await writeConfig(dataDir, config);
  return config;
}

function requireString(key: string, value: JsonValue): string {
  if (typeof value !== 'string') {
    throw new LockerError('INVALID_ARGUMENT', `The config value "${key}" must be text.`, {
      details: { key },
    });
  }
  return value;
}

function fallback(kind: 'unreadable' | 'unparsable' | 'not-an-object', message: string): ConfigReadResult {
  return { config: {}, exists: true, problem: { kind, message } };
}

export { configLockPath, type ConfigLease, type ConfigLockOptions } from './config-lock.ts';
