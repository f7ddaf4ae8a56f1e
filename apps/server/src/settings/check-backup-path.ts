/**
 * The rule for `backup_path` (DOCSight never checks it: weakness 14). After resolving symlinks the
 * directory must exist, lie inside one of the browse roots, and be neither the data directory nor
 * inside it: backups there would land in the next backup, and deleting "a backup" there could
 * delete live data.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, LockerError } from '@evidence-locker/core';

/** Where a backup path may and may not be. */
export interface BackupPathRules {
  dataDir: string;
  browseRoots: readonly string[];
}

/** Returns the real path of `candidate` when it satisfies the rules; otherwise a LockerError. */
export async function checkBackupPath(candidate: string, rules: BackupPathRules): Promise<string> {
  if (!path.isAbsolute(candidate)) {
    throw new LockerError('INVALID_ARGUMENT', `The backup path must be an absolute path (got "${candidate}").`);
  }
  const roots = (await Promise.all(rules.browseRoots.map((root) => realOrNull(root)))).filter(
    (root): root is string => root !== null,
  );
  const real = await realOrNull(candidate);
  if (real === null || !roots.some((root) => isInside(real, root))) {
    // Checked before "does it exist", so the answer never tells whether a path outside exists.
    if (!roots.some((root) => isInside(path.resolve(candidate), root))) {
      throw new LockerError(
        'PATH_NOT_ALLOWED',
        `The backup path must lie inside ${rules.browseRoots.join(' or ')} (BROWSE_ROOTS); ${candidate} does not.`,
        { details: { path: candidate } },
      );
    }
    if (real === null) {
      throw new LockerError('NOT_A_DIRECTORY', `The backup directory ${candidate} does not exist.`, {
        details: { path: candidate },
      });
    }
    throw new LockerError(
      'PATH_NOT_ALLOWED',
      `The backup path ${candidate} leads outside ${rules.browseRoots.join(' or ')} through a symbolic link.`,
      { details: { path: candidate } },
    );
  }
  if (!(await stat(real)).isDirectory()) {
    throw new LockerError('NOT_A_DIRECTORY', `The backup path ${candidate} is not a directory.`, { details: { path: candidate } });
  }
  const dataDir = (await realOrNull(rules.dataDir)) ?? path.resolve(rules.dataDir);
  if (isInside(real, dataDir)) {
    throw new LockerError(
      'PATH_NOT_ALLOWED',
      'The backup path must not be the data directory or inside it; choose a separate directory.',
      { details: { path: candidate } },
    );
  }
  return real;
}

async function realOrNull(target: string): Promise<string | null> {
  try {
    return await realpath(target);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return null;
    throw error;
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
