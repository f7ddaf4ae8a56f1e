import { describe, expect, it } from 'vitest';
import type { DirectoryListing } from '../api/server-types.ts';
import { useBrowse } from './use-browse.ts';

const listing = (path: string, parent: string | null, names: string[] = []): DirectoryListing => ({
  path,
  parent,
  directories: names.map((name) => ({ name, path: `${path}/${name}`, inDataDir: false })),
  roots: [{ name: 'srv', path: '/srv', inDataDir: false }],
  inDataDir: false,
  freeBytes: 1_000_000,
});

describe('useBrowse', () => {
  it('navigates into a directory and back up to its parent', async () => {
    const requested: (string | undefined)[] = [];
    const browse = useBrowse(async (path) => {
      requested.push(path);
      return path === '/srv/nas' ? listing('/srv/nas', '/srv') : listing('/srv', null, ['nas']);
    });
    await browse.open('/srv');
    expect(browse.listing.value?.directories).toEqual([{ name: 'nas', path: '/srv/nas', inDataDir: false }]);
    await browse.go('/srv/nas');
    expect(browse.path.value).toBe('/srv/nas');
    expect(browse.breadcrumb.value.map((crumb) => crumb.name)).toEqual(['/srv', 'nas']);
    await browse.up();
    expect(requested).toEqual(['/srv', '/srv/nas', '/srv']);
  });

  it('opens at the default location when the typed path is not allowed, and says why', async () => {
    const browse = useBrowse(async (path) => {
      if (path === '/etc') throw new Error('/etc is not inside an allowed location.');
      return listing('/srv', null);
    });
    await browse.open('/etc');
    expect(browse.path.value).toBe('/srv');
    expect(browse.error.value).toBe('/etc is not inside an allowed location.');
    await browse.go('/srv');
    expect(browse.error.value).toBeNull();
  });

  it('keeps the current listing and shows the message when a directory cannot be read', async () => {
    const browse = useBrowse(async (path) => {
      if (path === '/srv/locked') throw new Error('Permission denied: /srv/locked');
      return listing('/srv', null, ['locked']);
    });
    await browse.open();
    await expect(browse.go('/srv/locked')).resolves.toBe(false);
    expect(browse.path.value).toBe('/srv');
    expect(browse.error.value).toBe('Permission denied: /srv/locked');
  });

  it('creates a folder in the shown directory and then shows the new folder', async () => {
    const created: Array<[string, string]> = [];
    const browse = useBrowse(
      async (path) => (path === '/srv/new' ? listing('/srv/new', '/srv') : listing('/srv', null)),
      async (parent, name) => {
        created.push([parent, name]);
        return { path: `${parent}/${name}` };
      },
    );
    await browse.open('/srv');
    await browse.createFolder('new');
    expect(created).toEqual([['/srv', 'new']]);
    expect(browse.path.value).toBe('/srv/new');
  });

  it('passes a refused folder on to the caller and keeps showing the directory', async () => {
    const refusal = new Error('/srv/new already exists.');
    const browse = useBrowse(
      async () => listing('/srv', null),
      async () => {
        throw refusal;
      },
    );
    await browse.open('/srv');
    await expect(browse.createFolder('new')).rejects.toBe(refusal);
    expect(browse.path.value).toBe('/srv');
  });
});
