/**
 * The directory picker behind the backup-path setting. Like DOCSight's `browse_directory` it only
 * shows directories inside a set of allowed roots, compared after resolving symlinks so a link
 * cannot lead out. Unlike it, entries are `{name, path}` objects (the shape DOCSight's own UI
 * expects but never gets), a symlink to a directory inside the roots is listed under its real path,
 * the roots come from the caller instead of hard-coded POSIX paths, and the roots are returned so a
 * UI can jump between them.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { errnoCode, LockerError } from '../errors.ts';

const NamedPathSchema = z.object({ name: z.string(), path: z.string() });

export const DirectoryListingSchema = z.object({
  /** The real path listed. */
  path: z.string(),
  /** The real parent directory, or null when it would leave the allowed roots. */
  parent: z.string().nullable(),
  /** Subdirectories, sorted by name; `path` is the real path (a symlink's target). */
  directories: z.array(NamedPathSchema),
  /** The allowed roots that exist, as real paths, in the order given. */
  roots: z.array(NamedPathSchema),
});
export type DirectoryListing = z.infer<typeof DirectoryListingSchema>;

/**
 * Lists the subdirectories of `path`, which must be absolute and, after resolving symlinks, equal
 * or lie inside one of `allowedRoots` (else PATH_NOT_ALLOWED `Path not allowed: <path>`). Roots
 * that are relative or do not exist are ignored. Not a directory (or missing) → NOT_A_DIRECTORY; unreadable →
 * PERMISSION_DENIED. Hidden entries (leading dot) and anything that is not a directory are left out.
 * `parent` is the real parent while that is still inside a root (so nested roots lead up to the
 * outer one), and null at a root that is not inside another root.
 */
export async function browseDirectory(path: string, allowedRoots: readonly string[]): Promise<DirectoryListing> {
  const roots = await resolveRoots(allowedRoots);
  const notAllowed = (): LockerError => new LockerError('PATH_NOT_ALLOWED', `Path not allowed: ${path}`, { details: { path } });
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

  let names: string[];
  try {
    if (!(await stat(real)).isDirectory()) throw notADirectory(path);
    names = await readdir(real);
  } catch (error) {
    if (error instanceof LockerError) throw error;
    throw fsError(path, error);
  }

  const directories: Array<{ name: string; path: string }> = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const target = await realDirectory(join(real, name));
    if (target !== null && isInsideAny(target, roots)) directories.push({ name, path: target });
  }
  directories.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const up = dirname(real);
  // As DOCSight: a root nested in another root leads up to the outer one.
  const parent = up !== real && isInsideAny(up, roots) ? up : null;
  return { path: real, parent, directories, roots };
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
