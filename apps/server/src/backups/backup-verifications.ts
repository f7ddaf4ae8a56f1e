/**
 * Which stored backups were verified, and how it went, for the backup list's `verified` flag.
 *
 * A result belongs to one version of a file: its name, size and modification time (milliseconds),
 * so a file replaced or changed under the same name shows as unverified again. The results of a
 * backup directory are kept in that directory, in BACKUP_VERIFICATIONS_FILE (core's
 * data-dir-layout.ts: a dot-file no listing, prune or sweep takes), so they survive a restart and
 * follow the backups when the backup path changes. The file is:
 * - read once per directory, on first use (the server asks for its backup path at start);
 * - written atomically after every change, one write at a time per directory;
 * - bounded: at most MAX_KEPT results, the oldest dropped first, and a file larger than
 *   MAX_FILE_BYTES is not read;
 * - never trusted: a file that is not JSON, not this shape, too large or not a regular file is
 *   ignored (and logged) and replaced at the next change. A directory that cannot be written (a
 *   read-only share) keeps its results in memory, with a warning in the log.
 */
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { BACKUP_VERIFICATIONS_FILE, errnoCode, writeFileAtomic } from '@evidence-locker/core';
import { z } from 'zod';

export const VerificationSchema = z.object({
  /** True when the archive passed: checksums, member rules and SQLite's integrity check. */
  ok: z.boolean(),
  /** When the verification finished, ISO 8601 with offset. */
  at: z.string(),
  /** What was wrong, when `ok` is false. */
  message: z.string().optional(),
  /** The engine's code of what was wrong (`DATABASE_CORRUPT`, …), when `ok` is false. */
  code: z.string().optional(),
  /** The facts a translation of `code` may name. */
  details: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type Verification = z.infer<typeof VerificationSchema>;

/** One version of a stored backup: `modified` is the listing's ISO time (millisecond precision). */
export interface BackupFileVersion {
  fileName: string;
  size: number;
  modified: string;
}

/** Results kept at most per directory; the oldest go first (retention is at most 100 backups). */
export const MAX_KEPT = 500;
/** A state file larger than this is not read (MAX_KEPT results take well under 200 KB). */
export const MAX_FILE_BYTES = 1024 * 1024;

const FORMAT = 'evidence-locker-verifications';

const StoredVerificationSchema = VerificationSchema.extend({
  fileName: z.string().min(1).max(255),
  size: z.number().int().nonnegative(),
  /** Modification time in milliseconds since the epoch (time zone free, unlike the listing's text). */
  mtimeMs: z.number().int().nonnegative(),
});

const StateFileSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(1),
  /** Oldest first. */
  verifications: z.array(StoredVerificationSchema),
});
type StateFile = z.infer<typeof StateFileSchema>;

/** Where the results of a directory are logged about (the server's logger). */
export interface VerificationsLog {
  warn(fields: object, message: string): void;
}

/** Options of {@link BackupVerifications}. */
export interface BackupVerificationsOptions {
  /** Default: nowhere. */
  log?: VerificationsLog;
}

interface DirectoryResults {
  /** Key (name, size, mtime) → result, oldest first. */
  results: Map<string, StoredVerification>;
  /** The last write, so writes of one directory run one at a time, in order. */
  writing: Promise<void>;
}

type StoredVerification = z.infer<typeof StoredVerificationSchema>;

export class BackupVerifications {
  readonly #directories = new Map<string, Promise<DirectoryResults>>();
  readonly #log: VerificationsLog | undefined;

  constructor(options: BackupVerificationsOptions = {}) {
    this.#log = options.log;
  }

  /** Reads the results kept in `backupDir` (once; later calls answer from memory). */
  async load(backupDir: string): Promise<void> {
    await this.#resultsOf(backupDir);
  }

  /** Remembers the outcome of verifying `file` in `backupDir` and writes the directory's state file. */
  async record(backupDir: string, file: BackupFileVersion, verification: Verification): Promise<void> {
    const directory = await this.#resultsOf(backupDir);
    const key = keyOf(file);
    if (key === undefined) return;
    directory.results.delete(key);
    directory.results.set(key, { ...verification, fileName: file.fileName, size: file.size, mtimeMs: Date.parse(file.modified) });
    for (const oldest of directory.results.keys()) {
      if (directory.results.size <= MAX_KEPT) break;
      directory.results.delete(oldest);
    }
    await this.#save(backupDir, directory);
  }

  /** The last outcome for exactly this version of the file, or null when it was never verified. */
  async lookup(backupDir: string, file: BackupFileVersion): Promise<Verification | null> {
    const key = keyOf(file);
    const stored = key === undefined ? undefined : (await this.#resultsOf(backupDir)).results.get(key);
    if (stored === undefined) return null;
    const { fileName: _fileName, size: _size, mtimeMs: _mtimeMs, ...verification } = stored;
    return verification;
  }

  /** Forgets every result for `fileName` in `backupDir` (after a delete). */
  async forget(backupDir: string, fileName: string): Promise<void> {
    const directory = await this.#resultsOf(backupDir);
    let changed = false;
    for (const [key, stored] of [...directory.results]) {
      if (stored.fileName !== fileName) continue;
      directory.results.delete(key);
      changed = true;
    }
    if (changed) await this.#save(backupDir, directory);
  }

  #resultsOf(backupDir: string): Promise<DirectoryResults> {
    const dir = path.resolve(backupDir);
    let directory = this.#directories.get(dir);
    if (directory === undefined) {
      directory = this.#read(dir).then((stored) => ({
        results: new Map(stored.map((entry) => [storedKey(entry), entry])),
        writing: Promise.resolve(),
      }));
      this.#directories.set(dir, directory);
    }
    return directory;
  }

  /** The results in `dir`'s state file, oldest first; none when there is no usable file. */
  async #read(dir: string): Promise<StoredVerification[]> {
    const file = path.join(dir, BACKUP_VERIFICATIONS_FILE);
    try {
      const stats = await lstat(file);
      if (!stats.isFile()) return this.#ignore(file, 'it is not a regular file');
      if (stats.size > MAX_FILE_BYTES) return this.#ignore(file, `it is larger than ${MAX_FILE_BYTES} bytes`);
      const parsed = StateFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (!parsed.success) return this.#ignore(file, 'it is not a list of verifications this version knows');
      return parsed.data.verifications.slice(-MAX_KEPT);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [];
      if (error instanceof SyntaxError) return this.#ignore(file, 'it is not valid JSON');
      return this.#ignore(file, 'it cannot be read', error);
    }
  }

  #ignore(file: string, reason: string, error?: unknown): [] {
    this.#log?.warn(
      { path: file, ...(error === undefined ? {} : { err: error }) },
      `Ignoring the backup verifications in ${file}: ${reason}. Backups show as not verified until they are verified again; the file is rewritten then.`,
    );
    return [];
  }

  #save(dir: string, directory: DirectoryResults): Promise<void> {
    const write = async (): Promise<void> => {
      const file = path.join(path.resolve(dir), BACKUP_VERIFICATIONS_FILE);
      const state: StateFile = { format: FORMAT, version: 1, verifications: [...directory.results.values()] };
      try {
        await writeFileAtomic(file, `${JSON.stringify(state)}\n`, { mode: 0o644 });
      } catch (error) {
        this.#log?.warn(
          { path: file, err: error },
          `Could not save the backup verifications in ${file}; they are kept until the server restarts.`,
        );
      }
    };
    directory.writing = directory.writing.then(write, write);
    return directory.writing;
  }
}

function keyOf(file: BackupFileVersion): string | undefined {
  const mtimeMs = Date.parse(file.modified);
  return Number.isFinite(mtimeMs) ? `${file.fileName}\0${file.size}\0${mtimeMs}` : undefined;
}

function storedKey(stored: StoredVerification): string {
  return `${stored.fileName}\0${stored.size}\0${stored.mtimeMs}`;
}
