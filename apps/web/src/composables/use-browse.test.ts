import { describe, expect, it } from 'vitest';
import type { DirectoryListing } from '../api/server-types.ts';
import { useBrowse } from './use-browse.ts';

const listing = (path: string, parent: string | null, names: string[] = []): DirectoryListing => ({
  path,
  parent,
  directories: names.map((name) => ({ name, path: `${path}/${name}` })),
  roots: [{ name: 'srv', path: '/srv' }],
});

describe('useBrowse', () => {
  it('navigates into a directory and back up to its parent', async () => {
    const requested: (string | undefined)[] = [];
    const browse = useBrowse(async (path) => {
      requested.push(path);
      return path === '/srv/nas' ? listing('/srv/nas', '/srv') : listing('/srv', null, ['nas']);
    });
    await browse.open('/srv');
    expect(browse.listing.value?.directories).toEqual([{ name: 'nas', path: '/srv/nas' }]);
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
});
