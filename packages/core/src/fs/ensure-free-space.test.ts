import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isLockerError } from '../errors.ts';
import { ensureFreeSpace, formatMegabytes, freeBytes } from './ensure-free-space.ts';

/** Makes every filesystem report `free` bytes available. */
function reportFree(free: number): void {
  vi.spyOn(fs.promises, 'statfs').mockResolvedValue({ bavail: free / 4096, bsize: 4096 } as fs.StatsFs);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ensureFreeSpace', () => {
  it('passes when the need fits', async () => {
    reportFree(100e6);
    await expect(ensureFreeSpace('backup', [{ dir: os.tmpdir(), bytes: 99e6 }])).resolves.toBeUndefined();
  });

  it('refuses with the directory, what is needed and what is free', async () => {
    reportFree(40_960_000);
    const error = await ensureFreeSpace('restore', [{ dir: os.tmpdir(), bytes: 1_234_500_001 }]).catch((e: unknown) => e);
    expect(isLockerError(error, 'DISK_FULL')).toBe(true);
    expect((error as Error).message).toBe(
      `Not enough free space for the restore in ${os.tmpdir()}: it needs about 1,235 MB, 40 MB are free. ` +
        'Free up space there (or choose a directory on a bigger disk) and try again.',
    );
    expect((error as { details: unknown }).details).toEqual({ dirs: [os.tmpdir()], needed: 1_234_500_001, available: 40_960_000 });
  });

  it('adds up the needs of directories on the same filesystem', async () => {
    reportFree(100e6);
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'el-space-'));
    try {
      const b = path.join(a, 'backups');
      await expect(ensureFreeSpace('backup', [{ dir: a, bytes: 60e6 }])).resolves.toBeUndefined();
      const error = await ensureFreeSpace('backup', [
        { dir: a, bytes: 60e6 },
        { dir: b, bytes: 60e6 },
      ]).catch((e: unknown) => e);
      expect(isLockerError(error, 'DISK_FULL')).toBe(true);
      // `b` does not exist yet: it counts on its nearest existing ancestor, the same disk as `a`.
      expect((error as Error).message).toContain(`in ${a} and ${b}: it needs about 120 MB, 100 MB are free on that disk`);
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
    }
  });

  it('ignores empty needs and reads the real free space of a missing directory from its parent', async () => {
    await expect(ensureFreeSpace('upload', [{ dir: '/nonexistent/dir', bytes: 0 }])).resolves.toBeUndefined();
    expect(await freeBytes(path.join(os.tmpdir(), 'does', 'not', 'exist'))).toBe(await freeBytes(os.tmpdir()));
  });
});

describe('formatMegabytes', () => {
  it('never understates a need or overstates what is free', () => {
    expect(formatMegabytes(1_000_001, 'up')).toBe('2 MB');
    expect(formatMegabytes(1_999_999, 'down')).toBe('1 MB');
    expect(formatMegabytes(12_345_678_901, 'up')).toBe('12,346 MB');
  });
});
