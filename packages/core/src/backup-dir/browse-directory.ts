/**
 * The directory picker behind the backup-path setting. Like DOCSight's `browse_directory` it only
 * shows directories inside a set of allowed roots, compared after resolving symlinks so a link
 * cannot lead out. Unlike it, entries are `{name, path}` objects (the shape DOCSight's own UI
 * expects but never gets), a symlink to a directory inside the roots is listed under its real path,
 * the roots come from the caller instead of hard-coded POSIX paths, and the roots are returned so a
 * UI can jump between them. It also says which entries are the data directory or inside it (shown,
 * but no place for backups) and how much space is free where it looks.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { errnoCode, LockerError } from '../errors.ts';
import { freeBytes } from '../fs/ensure-free-space.ts';

const NamedPathSchema = z.object({
  name: z.string(),
  path: z.string(),
  /**
   * True when this is the data directory or lies inside it: no place for backups (a backup beside
   * the data it protects is lost with it), so a picker shows it but does not offer it.
   */
  inDataDir: z.boolean(),
});

export const DirectoryListingSchema = z.object({
  /** The real path listed. */
  path: z.string(),
  /** The real parent directory, or null when it would leave the allowed roots. */
  parent: z.string().nullable(),
  /** Subdirectories, sorted by name; `path` is the real path (a symlink's target). */
  directories: z.array(NamedPathSchema),
  /** The allowed roots that exist, as real paths, in the order given. */
  roots: z.array(NamedPathSchema),
  /** True when `path` is the data directory or inside it (see the entries' `inDataDir`). */
  inDataDir: z.boolean(),
  /** Bytes free for an unprivileged writer on the filesystem holding `path`; null when unknown. */
  freeBytes: z.number().nonnegative().nullable(),
});
export type DirectoryListing = z.infer<typeof DirectoryListingSchema>;

/** Options of {@link browseDirectory}. */
export interface BrowseOptions {
  /** The data directory, whose inside is marked `inDataDir`; default: none is marked. */
  dataDir?: string;
}

/**
 * Lists the subdirectories of `path`, which must be absolute and, after resolving symlinks, equal
 * or lie inside one of `allowedRoots` (else PATH_NOT_ALLOWED `Path not allowed: <path>`, with
 * `details.roots`: the roots as given, comma-separated). Roots that are relative or do not exist
 * are ignored. Not a directory (or missing) → NOT_A_DIRECTORY; unreadable → PERMISSION_DENIED.
 * Hidden entries (leading dot) and anything that is not a directory are left out. `parent` is the
 * real parent while that is still inside a root (so nested roots lead up to the outer one), and
 * null at a root that is not inside another root.
 */
export async function browseDirectory(
  path: string,
  allowedRoots: readonly string[],
  options: BrowseOptions = {},
): Promise<DirectoryListing> {
  const { real, roots, inDataDir } = await resolveBrowsableDirectory(path, allowedRoots, options);
  let names: string[];
  try {
    names = await readdir(real);
  } catch (error) {
    throw fsError(path, error);
  }

  const directories: DirectoryListing['directories'] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const target = await realDirectory(join(real, name));
    if (target !== null && isInsideAny(target, roots)) directories.push({ name, path: target, inDataDir: inDataDir(target) });
  }
  directories.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const up = dirname(real);
  // As DOCSight: a root nested in another root leads up to the outer one.
  const parent = up !== real && isInsideAny(up, roots) ? up : null;
  const free = await freeBytes(real).catch(() => null);
  return { path: real, parent, directories, roots, inDataDir: inDataDir(real), freeBytes: free };
}

/** A directory the picker may show, resolved: see {@link resolveBrowsableDirectory}. */
export interface BrowsableDirectory {
  /** Its real path. */
  real: string;
  /** The allowed roots that exist, as real paths. */
  roots: DirectoryListing['roots'];
  /** Whether a real path is the data directory or inside it. */
  inDataDir: (real: string) => boolean;
}

/**
 * The checks of {@link browseDirectory} without the listing: `path` resolved, inside the roots,
 * an existing directory, or the same errors. Shared with the picker's "New folder".
 */
export async function resolveBrowsableDirectory(
  path: string,
  allowedRoots: readonly string[],
  options: BrowseOptions = {},
): Promise<BrowsableDirectory> {
  const dataDir = options.dataDir === undefined ? null : await realOrResolved(options.dataDir);
  const inDataDir = (target: string): boolean => dataDir !== null && isInsideAny(target, [{ path: dataDir }]);
  const roots = (await resolveRoots(allowedRoots)).map((root) => ({ ...root, inDataDir: inDataDir(root.path) }));
  const notAllowed = (): LockerError =>
    new LockerError('PATH_NOT_ALLOWED', `Path not allowed: ${path}`, { details: { path, roots: allowedRoots.join(', ') } });
  if (typeof path !== 'string' || !isAbsolute(path)) throw notAllowed();

  const absolute = resolve(path);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (error) {
    // Check the roots first so an error never tells whether a path outside them exists.
    if (!isInsideAny(await resolveAsFarAsExists(absolute), roots)) throw notAllowed();
    throw fsError(path, error);
  }
  if (!isInsideAny(real, roots)) throw notAllowed();
  try {
    if (!(await stat(real)).isDirectory()) throw notADirectory(path);
  } catch (error) {
    if (error instanceof LockerError) throw error;
    throw fsError(path, error);
  }
  return { real, roots, inDataDir };
}

/** The real path of `path`, or the path resolved when it cannot be (missing, unreadable). */
async function realOrResolved(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

function notADirectory(path: string, cause?: unknown): LockerError {
  return new LockerError('NOT_A_DIRECTORY', `Not a directory: ${path}`, { cause, details: { path } });
}

/** EACCES/EPERM → PERMISSION_DENIED; anything else (missing, a file on the way, a loop) → NOT_A_DIRECTORY. */
function fsError(path: string, error: unknown): LockerError {
  const code = errnoCode(error);
  if (code === 'EACCES' || code === 'EPERM') {
    return new LockerError('PERMISSION_DENIED', `Permission denied: ${path}`, { cause: error, details: { path } });
  }
  return notADirectory(path, error);
}

async function resolveRoots(allowedRoots: readonly string[]): Promise<Array<{ name: string; path: string }>> {
  const roots: Array<{ name: string; path: string }> = [];
  for (const root of allowedRoots) {
    if (!isAbsolute(root)) continue;
    let real: string;
    try {
      real = await realpath(root);
    } catch {
      continue;
    }
    if (roots.some((known) => known.path === real)) continue;
    roots.push({ name: basename(real) || real, path: real });
  }
  return roots;
}

/**
 * realpath for a path that may not exist (or not be readable): resolve the longest existing
 * ancestor and append the rest, as Python's `os.path.realpath` does. Used only to decide which
 * error to report; nothing is read through such a path.
 */
async function resolveAsFarAsExists(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await resolveAsFarAsExists(parent), basename(path));
  }
}

/** The real path of `path` if it is a directory or a symlink to one, else null. */
async function realDirectory(path: string): Promise<string | null> {
  try {
    const target = await realpath(path);
    return (await stat(target)).isDirectory() ? target : null;
  } catch {
    return null;
  }
}

function isInsideAny(path: string, roots: ReadonlyArray<{ path: string }>): boolean {
  return roots.some(({ path: root }) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep));
}
