/**
 * Small real filesystems for tests of what a disk can refuse: tmpfs mounts of a given size, owned
 * by the user the tests run as, for full disks (reliability) and read-only mounts (e2e: a backup
 * location that cannot be written, which chmod cannot fake for root). Mounting needs root
 * (CAP_SYS_ADMIN): as root it mounts directly, otherwise through `sudo -n` (as .ci/run installs
 * packages); without either the test fails with this explanation.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const mounted: string[] = [];
const asRoot = process.getuid?.() === 0;

/** Runs a mount command, through `sudo -n` when not root. */
function privileged(command: string, args: string[]): void {
  if (asRoot) execFileSync(command, args, { stdio: 'pipe' });
  else execFileSync('sudo', ['-n', command, ...args], { stdio: 'pipe' });
}

/**
 * Mounts a tmpfs of `size` (`mount -o size=`, e.g. `64m`) at `dir` (created) and returns `dir`;
 * `readOnly` mounts it read-only (every write fails with EROFS, for root too). Default read-write.
 */
export function mountTmpfs(dir: string, size: string, options: { readOnly?: boolean } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  try {
    const owner = `uid=${process.getuid?.() ?? 0},gid=${process.getgid?.() ?? 0}`;
    const access = options.readOnly ? 'ro' : 'rw';
    privileged('mount', ['-t', 'tmpfs', '-o', `${access},size=${size},mode=0755,${owner}`, 'tmpfs', dir]);
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error);
    throw new Error(`These tests mount small tmpfs filesystems, which needs root or passwordless sudo (CAP_SYS_ADMIN): ${stderr}`, {
      cause: error,
    });
  }
  mounted.push(dir);
  return dir;
}

/** Unmounts the tmpfs mountTmpfs mounted at `dir` (lazily), leaving any others mounted. */
export function unmountTmpfs(dir: string): void {
  const index = mounted.indexOf(dir);
  if (index === -1) return;
  mounted.splice(index, 1);
  privileged('umount', ['-l', dir]);
}

/** Unmounts every tmpfs mountTmpfs mounted (lazily, so an open file cannot block it). */
export function unmountAll(): void {
  for (const dir of mounted.splice(0)) privileged('umount', ['-l', dir]);
}

/** Takes every free byte of the filesystem holding `dir` with one file, and returns its path. */
export function fillDisk(dir: string): string {
  const file = path.join(dir, 'filler.bin');
  const chunk = Buffer.alloc(1024 * 1024, 0xa5);
  const fd = fs.openSync(file, 'w');
  try {
    for (;;) {
      try {
        fs.writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw error;
      }
    }
    // Whatever is left below a MiB too.
    for (let size = 512 * 1024; size >= 512; size /= 2) {
      try {
        fs.writeSync(fd, chunk.subarray(0, size));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return file;
}
