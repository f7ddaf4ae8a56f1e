/**
 * The rule for `backup_path` (DOCSight never checks it: docs/docsight-compatibility.md, D14). The
 * path must be absolute, hold no NUL byte, lie inside one of the browse roots after resolving
 * symlinks, and be neither the data directory nor inside it: a backup beside the data it protects
 * is lost with it, backups there would land in the next backup, and deleting "a backup" there could
 * delete live data. Saving it in the settings also needs the directory to take a real write, the
 * same check every backup makes first ({@link checkBackupPath}), so Save refuses what the first
 * backup would fail on, with the same cause; a path read from config.json (hand-edited, or restored
 * from another instance) only has to keep to the bounds ({@link checkBackupPathBounds}): a
 * directory that is missing is usually a volume not mounted yet, and the backup says so when it
 * runs.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { ensureBackupDirWritable, errnoCode, LockerError } from '@evidence-locker/core';

/** Where a backup path may and may not be. */
export interface BackupPathRules {
  dataDir: string;
  browseRoots: readonly string[];
}

/**
 * Throws a LockerError when `candidate` breaks the bounds of the rule: INVALID_ARGUMENT for a NUL
 * byte or a relative path, PATH_NOT_ALLOWED for a path outside the browse roots (directly or
 * through a symlink; `details.roots` names them), BACKUP_PATH_IN_DATA_DIR for the data directory or
 * a path inside it. Returns its real path, or null when it does not exist (or cannot be resolved).
 */
export async function checkBackupPathBounds(candidate: string, rules: BackupPathRules): Promise<string | null> {
  if (candidate.includes('\0')) {
    throw new LockerError('INVALID_ARGUMENT', 'The backup path must not contain a NUL byte.', {
      details: { path: candidate.replaceAll('\0', '\\0') },
    });
  }
  if (!path.isAbsolute(candidate)) {
    throw new LockerError('INVALID_ARGUMENT', `The backup path must be an absolute path (got "${candidate}").`, {
      details: { path: candidate },
    });
  }
  const roots = (await Promise.all(rules.browseRoots.map((root) => realOrNull(root)))).filter((root): root is string => root !== null);
  const real = await realOrNull(candidate);
  // Checked before "does it exist", so the answer never tells whether a path outside exists.
  if (!roots.some((root) => isInside(real ?? path.resolve(candidate), root))) {
    throw new LockerError(
      'PATH_NOT_ALLOWED',
      real !== null && roots.some((root) => isInside(path.resolve(candidate), root))
        ? `The backup path ${candidate} leads outside ${rules.browseRoots.join(' or ')} through a symbolic link.`
        : `The backup path must lie inside ${rules.browseRoots.join(' or ')} (BROWSE_ROOTS); ${candidate} does not.`,
      { details: { path: candidate, roots: rules.browseRoots.join(', ') } },
    );
  }
  const dataDir = (await realOrNull(rules.dataDir)) ?? path.resolve(rules.dataDir);
  if (isInside(real ?? path.resolve(candidate), dataDir)) {
    throw new LockerError(
      'BACKUP_PATH_IN_DATA_DIR',
      `The backup path ${candidate} is the data directory or inside it: a backup there is lost with the data it protects. ` +
        'Choose a directory outside it, ideally on another disk.',
      { details: { path: candidate, dataDir: rules.dataDir } },
    );
  }
  return real;
}

/**
 * The whole rule, for a path a user is saving: the bounds of {@link checkBackupPathBounds}, then
 * core's ensureBackupDirWritable on it: an existing directory (else DIRECTORY_NOT_FOUND or
 * NOT_A_DIRECTORY) that takes a test file written, read back and removed (else
 * READ_ONLY_FILE_SYSTEM, WRITE_PERMISSION_DENIED, DISK_FULL, …). Returns its real path.
 */
export async function checkBackupPath(candidate: string, rules: BackupPathRules): Promise<string> {
  const real = await checkBackupPathBounds(candidate, rules);
  // The path as typed when it cannot be resolved: its stat() gives the real reason.
  await ensureBackupDirWritable(real ?? candidate);
  return real ?? candidate;
}

/** The real path of `target`, or null when it cannot be resolved (missing, a loop, no permission). */
async function realOrNull(target: string): Promise<string | null> {
  try {
    return await realpath(target);
  } catch (error) {
    const code = errnoCode(error);
    // System errors (ENOENT, ELOOP, EACCES, …), not Node's own argument errors (ERR_*).
    if (code !== undefined && !code.startsWith('ERR_')) return null;
    throw error;
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
