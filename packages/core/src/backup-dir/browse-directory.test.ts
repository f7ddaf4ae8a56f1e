import { mkdirSync, mkdtempSync, realpathSync, rmSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { injectFsFault } from '@evidence-locker/core/testing/inject-fs-fault';
import { browseDirectory, DirectoryListingSchema } from './browse-directory.ts';

// Root reads every directory, so a refused readdir is injected.
vi.mock('node:fs/promises', async (importOriginal) =>
  (await import('@evidence-locker/core/testing/inject-fs-fault')).fsPromisesWithFaults(importOriginal),
);

let base: string;
let root: string;
let outside: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'el-browse-')));
  root = join(base, 'backup');
  outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('TestBrowseDirectory (DOCSight reference)', () => {
  it('test_browse_lists_dirs: subdirectories are listed, files are not', async () => {
    mkdirSync(join(root, 'daily'));
    mkdirSync(join(root, 'weekly'));
    writeFileSync(join(root, 'docsight_backup_2026-11-26_070713.tar.gz'), 'x');
    const listing = await browseDirectory(root, [root]);
    expect(listing.directories.map((entry) => entry.name)).toEqual(['daily', 'weekly']);
  });

  it('test_browse_hides_hidden_dirs: .hidden is not listed', async () => {
    mkdirSync(join(root, '.hidden'));
    mkdirSync(join(root, 'visible'));
    expect((await browseDirectory(root, [root])).directories.map((entry) => entry.name)).toEqual(['visible']);
  });

  it('test_browse_rejects_outside_allowed: a path outside the roots is not allowed', async () => {
    await expect(browseDirectory(outside, [root])).rejects.toMatchObject({
      code: 'PATH_NOT_ALLOWED',
      message: `Path not allowed: ${outside}`,
    });
  });

  it('test_browse_rejects_symlink_escape: a symlink inside the root to outside is not allowed', async () => {
    symlinkSync(outside, join(root, 'escape'));
    await expect(browseDirectory(join(root, 'escape'), [root])).rejects.toMatchObject({
      code: 'PATH_NOT_ALLOWED',
      message: `Path not allowed: ${join(root, 'escape')}`,
    });
  });

  it("test_browse_returns_parent: a child's parent is the root", async () => {
    mkdirSync(join(root, 'child'));
    expect((await browseDirectory(join(root, 'child'), [root])).parent).toBe(root);
  });

  it('test_browse_no_parent_at_root: parent is null at the root', async () => {
    expect((await browseDirectory(root, [root])).parent).toBeNull();
  });

  it('test_browse_uses_data_dir_as_default_allowed_root: a root given through a symlink allows its real path, and path is the real path', async () => {
    // Evidence Locker has no built-in default roots; the server passes DATA_DIR and the backup
    // path. DOCSight's test is about realpath: the root and the result are compared resolved.
    const dataDir = join(base, 'data');
    mkdirSync(dataDir);
    symlinkSync(dataDir, join(base, 'data-link'));
    const listing = await browseDirectory(join(base, 'data-link'), [join(base, 'data-link')]);
    expect(listing.path).toBe(realpathSync(dataDir));
    expect((await browseDirectory(dataDir, [join(base, 'data-link')])).path).toBe(dataDir);
  });

  it('test_browse_nonexistent_dir: a missing directory inside a root is "Not a directory"', async () => {
    await expect(browseDirectory(join(root, 'missing'), [root])).rejects.toMatchObject({
      code: 'NOT_A_DIRECTORY',
      message: `Not a directory: ${join(root, 'missing')}`,
    });
  });
});

describe('browseDirectory', () => {
  it('returns {name, path} objects sorted by name, the parent and the roots', async () => {
    for (const name of ['b', 'A', 'a', 'c d']) mkdirSync(join(root, 'sub', name), { recursive: true });
    const dataDir = join(base, 'data');
    mkdirSync(dataDir);
    const listing = await browseDirectory(join(root, 'sub'), [root, dataDir, join(base, 'not-there')]);
    expect(listing).toEqual({
      path: join(root, 'sub'),
      parent: root,
      directories: ['A', 'a', 'b', 'c d'].map((name) => ({ name, path: join(root, 'sub', name), inDataDir: false })),
      roots: [
        { name: 'backup', path: root, inDataDir: false },
        { name: 'data', path: dataDir, inDataDir: false },
      ],
      inDataDir: false,
      freeBytes: expect.any(Number) as number,
    });
    expect(DirectoryListingSchema.parse(listing)).toEqual(listing);
  });

  it('lists a symlink to a directory inside the roots under its real path, and leaves out one that escapes', async () => {
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'alias'));
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));
    writeFileSync(join(root, 'file'), 'x');
    symlinkSync(join(root, 'file'), join(root, 'file-link'));
    const listing = await browseDirectory(root, [root]);
    expect(listing.directories).toEqual([
      { name: 'alias', path: join(root, 'real'), inDataDir: false },
      { name: 'real', path: join(root, 'real'), inDataDir: false },
    ]);
  });

  it('rejects a missing path outside the roots as not allowed, without saying whether it exists', async () => {
    await expect(browseDirectory(join(outside, 'missing'), [root])).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    await expect(browseDirectory('/nonexistent/path', [root])).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
  });

  it('rejects .. that climbs out of a root, a sibling sharing the root prefix, and a relative path', async () => {
    mkdirSync(join(base, 'backup-evil'));
    await expect(browseDirectory(`${root}/..`, [root])).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    await expect(browseDirectory(join(base, 'backup-evil'), [root])).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    await expect(browseDirectory('backup', [root])).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
  });

  it('rejects everything when no root exists', async () => {
    await expect(browseDirectory(root, [join(base, 'not-there')])).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
  });

  it('gives NOT_A_DIRECTORY for a file inside a root', async () => {
    writeFileSync(join(root, 'config.json'), '{}');
    await expect(browseDirectory(join(root, 'config.json'), [root])).rejects.toMatchObject({
      code: 'NOT_A_DIRECTORY',
      message: `Not a directory: ${join(root, 'config.json')}`,
    });
  });

  it('gives PERMISSION_DENIED when the directory cannot be read', async () => {
    injectFsFault('readdir', 'EACCES');
    await expect(browseDirectory(root, [root])).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      message: `Permission denied: ${root}`,
    });
  });

  it('leads up from a nested root to the outer root', async () => {
    const dataDir = join(base, 'data');
    mkdirSync(join(dataDir, 'backups'), { recursive: true });
    const listing = await browseDirectory(join(dataDir, 'backups'), [join(dataDir, 'backups'), dataDir]);
    expect(listing.parent).toBe(dataDir);
  });

  it('marks the data directory and what lies inside it, also through a symlink, but not its parent or a sibling', async () => {
    const dataDir = join(root, 'data');
    mkdirSync(join(dataDir, 'inside'), { recursive: true });
    mkdirSync(join(root, 'data-other'));
    symlinkSync(dataDir, join(root, 'link-to-data'));
    const atRoot = await browseDirectory(root, [root, dataDir], { dataDir });
    expect(atRoot.inDataDir).toBe(false);
    expect(atRoot.directories).toEqual([
      { name: 'data', path: dataDir, inDataDir: true },
      { name: 'data-other', path: join(root, 'data-other'), inDataDir: false },
      { name: 'link-to-data', path: dataDir, inDataDir: true },
    ]);
    expect(atRoot.roots.map((entry) => entry.inDataDir)).toEqual([false, true]);
    const inside = await browseDirectory(dataDir, [root], { dataDir: join(root, 'link-to-data') });
    expect(inside.inDataDir).toBe(true);
    expect(inside.directories).toEqual([{ name: 'inside', path: join(dataDir, 'inside'), inDataDir: true }]);
  });

  it("names the filesystem's free space", async () => {
    const stats = statfsSync(root);
    const listing = await browseDirectory(root, [root]);
    // Other writers may change it a little between the two reads.
    expect(listing.freeBytes).toBeGreaterThan(0);
    expect(Math.abs(listing.freeBytes! - stats.bavail * stats.bsize)).toBeLessThan(64 * 1024 * 1024);
  });

  it('names the allowed roots when it refuses a path outside them', async () => {
    await expect(browseDirectory(outside, [root, join(base, 'other')])).rejects.toMatchObject({
      code: 'PATH_NOT_ALLOWED',
      details: { path: outside, roots: `${root}, ${join(base, 'other')}` },
    });
  });
});
