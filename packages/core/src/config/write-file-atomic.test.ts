import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@evidence-locker/core/testing/fixture-config-files';
import { writeFileAtomic } from './write-file-atomic.ts';

describe('writeFileAtomic', () => {
  let temp: TempDir;
  beforeEach(() => {
    temp = makeTempDir('atomic');
  });
  afterEach(() => temp.cleanup());

  it('replaces a file with mode 0600 and leaves no temp files', async () => {
    const target = path.join(temp.dir, 'config.json');
    fs.writeFileSync(target, 'old', { mode: 0o644 });
    expect(await writeFileAtomic(target, 'new')).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(temp.dir)).toEqual(['config.json']);
  });

  it('sets the mode regardless of the umask', async () => {
    const previous = process.umask(0o077);
    try {
      const target = path.join(temp.dir, 'public.txt');
      await writeFileAtomic(target, 'x', { mode: 0o644 });
      expect(fs.statSync(target).mode & 0o777).toBe(0o644);
    } finally {
      process.umask(previous);
    }
  });

  it('keeps an existing file with noClobber and cleans up its temp file', async () => {
    const target = path.join(temp.dir, '.config_key');
    fs.writeFileSync(target, 'first');
    expect(await writeFileAtomic(target, 'second', { noClobber: true })).toBe(false);
    expect(fs.readFileSync(target, 'utf8')).toBe('first');
    expect(fs.readdirSync(temp.dir)).toEqual(['.config_key']);
  });

  it('creates a missing file with noClobber', async () => {
    const target = path.join(temp.dir, '.config_key');
    expect(await writeFileAtomic(target, 'first', { noClobber: true })).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('first');
    expect(fs.readdirSync(temp.dir)).toEqual(['.config_key']);
  });

  it('removes its temp file when the rename fails', async () => {
    const target = path.join(temp.dir, 'config.json');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'inside'), 'x');
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect(fs.readdirSync(temp.dir)).toEqual(['config.json']);
    expect(fs.statSync(target).isDirectory()).toBe(true);
  });
});
