/**
 * Debian packages a test needs, installed when missing: tests install what they need and fail,
 * never skip, when they cannot (../shared/notes/test-services.md).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';

function aptGet(...args: string[]): SpawnSyncReturns<string> {
  // Test files run in parallel and may install at the same time: wait for dpkg's lock instead of failing on it.
  return spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** True when `file` exists and is executable. */
function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure every program in `programs` (absolute paths) exists, installing `packages` with
 * apt-get when one is missing (`apt-get update` only when the first try fails). Throws, saying
 * what is missing and what apt-get said, when they still do not exist.
 */
export function ensureDebianPackages(packages: readonly string[], programs: readonly string[]): void {
  const missing = (): string[] => programs.filter((program) => !executable(program));
  if (missing().length === 0) return;
  let install = aptGet('install', '-y', '--no-install-recommends', ...packages);
  if (install.status !== 0) {
    aptGet('update');
    install = aptGet('install', '-y', '--no-install-recommends', ...packages);
  }
  if (missing().length > 0) {
    throw new Error(
      `These tests need ${missing().join(', ')} (Debian packages ${packages.join(', ')}), and ` +
        `\`apt-get install -y ${packages.join(' ')}\` did not provide them (exit ${install.status}): ` +
        `${(install.stderr ?? String(install.error)).trim().slice(-500)}`,
    );
  }
}
